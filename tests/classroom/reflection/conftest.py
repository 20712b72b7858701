"""Reflection tests run on SQLite and PostgreSQL against the enrolment tests' small two-course catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from classroom.reflection.sealing import Sealer, new_key
from classroom.reflection.service import ReflectionService
from tests.support.enrolment import DOWNLAND, LONDON, add_person, load_world, world

# The test clock starts on Monday 23 November 2026, 09:00 UTC; the runs start three weeks later.
FIRST_DAY = date(2026, 12, 14)
ALEX, ISAIAH, PATTI = "aad-alex", "aad-isaiah", "aad-patti"


@pytest.fixture
async def enrolment(session_factory, clock) -> EnrolmentService:
    await load_world(session_factory, world(FIRST_DAY, capacity=8))
    await add_person(session_factory, ALEX, "Alex Wilber")
    await add_person(session_factory, ISAIAH, "Isaiah Langer", DOWNLAND)
    await add_person(session_factory, PATTI, "Patti Fernandez")
    return EnrolmentService(session_factory, clock, EnrolmentPolicy())


@pytest.fixture
def sealer() -> Sealer:
    return Sealer((new_key(),))


@pytest.fixture
def reflection(session_factory, clock, sealer) -> ReflectionService:
    return ReflectionService(session_factory, clock, LONDON, sealer)
