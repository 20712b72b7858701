"""Evaluation tests run on SQLite and PostgreSQL against the enrolment tests' small two-course catalogue: PERMX-A
has four weekly sessions from Monday 14 December 2026 (10:00-15:00 London) and one learning outcome."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from classroom.evaluation.service import EvaluationService
from storage.models import Enrolment, Person
from tests.support.enrolment import add_person, load_world, world

# The test clock starts on Monday 23 November 2026, 09:00 UTC; the runs start three weeks later.
FIRST_DAY = date(2026, 12, 14)
ALEX, ISAIAH = "aad-alex", "aad-isaiah"
PEOPLE = {
    "aad-alex": "Alex Wilber",
    "aad-isaiah": "Isaiah Langer",
    "aad-megan": "Megan Bowen-Price",
    "aad-nestor": "Nestor Wilke",
    "aad-lidia": "Lidia Holloway",
    "aad-grady": "Grady Archie",
}


@pytest.fixture
async def enrolment(session_factory, clock) -> EnrolmentService:
    await load_world(session_factory, world(FIRST_DAY, capacity=8))
    for aad, name in PEOPLE.items():
        await add_person(session_factory, aad, name)
    return EnrolmentService(session_factory, clock, EnrolmentPolicy())


@pytest.fixture
def evaluation(session_factory, clock) -> EvaluationService:
    return EvaluationService(session_factory, clock)


async def enrolment_id(session_factory, aad_object_id: str) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        found = await session.scalar(
            select(Enrolment.id)
            .join(Person, Person.id == Enrolment.person_id)
            .where(Person.aad_object_id == aad_object_id)
        )
    assert found is not None
    return found
