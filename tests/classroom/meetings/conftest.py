"""Meeting service tests run on SQLite and PostgreSQL against the meeting world (tests/support/meetings.py)."""

from __future__ import annotations

import pytest

from classroom.meetings.service import MeetingService
from tests.support.meetings import load_meeting_world


@pytest.fixture
async def meetings(session_factory, clock) -> MeetingService:  # type: ignore[no-untyped-def]
    await load_meeting_world(session_factory, clock)
    return MeetingService(session_factory, clock)
