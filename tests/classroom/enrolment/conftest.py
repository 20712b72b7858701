"""Enrolment service tests run on SQLite and PostgreSQL against a small two-course catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from tests.support.enrolment import DOWNLAND, SOUTHCOAST, add_person, load_world, world

# The test clock starts on Monday 23 November 2026, 09:00 UTC; the runs start three weeks later.
FIRST_DAY = date(2026, 12, 14)

ALEX, ISAIAH, LYNNE, PATTI, NOBODY = "aad-alex", "aad-isaiah", "aad-lynne", "aad-patti", "aad-nobody"


@pytest.fixture
async def service(session_factory, clock) -> EnrolmentService:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, "Alex Wilber")
    await add_person(session_factory, ISAIAH, "Isaiah Langer", DOWNLAND)
    await add_person(session_factory, LYNNE, "Lynne Robbins", SOUTHCOAST)
    await add_person(session_factory, PATTI, "Patti Fernandez")
    await add_person(session_factory, NOBODY, "Nobody Known", organisation=None)
    return EnrolmentService(session_factory, clock, EnrolmentPolicy())
