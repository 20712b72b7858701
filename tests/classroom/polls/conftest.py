"""Poll service tests run on SQLite and PostgreSQL against the enrolment tests' small catalogue."""

from __future__ import annotations

import pytest

from classroom.polls.service import PollService
from tests.support.polls import load_poll_world


@pytest.fixture
async def polls(session_factory, clock) -> PollService:
    await load_poll_world(session_factory)
    return PollService(session_factory, clock)
