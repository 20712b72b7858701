"""Certificate tests run on SQLite and PostgreSQL against the enrolment tests' small two-course catalogue."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from classroom.certificates.issuing import issue_certificates
from classroom.certificates.service import CertificateService
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from classroom.reflection.sealing import Sealer, new_key
from classroom.reflection.service import ReflectionService
from storage.models import CourseRun, Person
from tests.classroom.reflection.conftest import FIRST_DAY
from tests.support.enrolment import DOWNLAND, LONDON, MULTI_RUN, add_person, load_world, world

ALEX, ISAIAH, PATTI = "aad-alex", "aad-isaiah", "aad-patti"
GREEK_NAME = "Σοφία Παπαδοπούλου-Ковальчук"  # Greek and Cyrillic, as Teams may give it
SOFIA = "aad-sofia"


@pytest.fixture
async def enrolment(session_factory, clock) -> EnrolmentService:
    await load_world(session_factory, world(FIRST_DAY, capacity=8))
    await add_person(session_factory, ALEX, "Alex Wilber")
    await add_person(session_factory, ISAIAH, "Isaiah Langer", DOWNLAND)
    await add_person(session_factory, PATTI, "Patti Fernandez")
    await add_person(session_factory, SOFIA, GREEK_NAME)
    return EnrolmentService(session_factory, clock, EnrolmentPolicy())


@pytest.fixture
def sealer() -> Sealer:
    return Sealer((new_key(),))


@pytest.fixture
def reflection(session_factory, clock, sealer) -> ReflectionService:
    return ReflectionService(session_factory, clock, LONDON, sealer)


@pytest.fixture
def certificates(session_factory, clock) -> CertificateService:
    return CertificateService(session_factory, clock, LONDON)


async def ids(session_factory, *aad_object_ids: str, run_code: str = MULTI_RUN) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    """The run's id and the people's ids."""
    async with session_factory() as session:
        run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == run_code))
        people = [await session.scalar(select(Person.id).where(Person.aad_object_id == a)) for a in aad_object_ids]
    assert run_id is not None and all(p is not None for p in people)
    return run_id, people  # type: ignore[return-value]


async def issue(session_factory, *aad_object_ids: str, now: datetime, sealer: Sealer | None = None) -> None:  # type: ignore[no-untyped-def]
    """What the meetings feature does when the run's last session has ended, in its own transaction."""
    run_id, people = await ids(session_factory, *aad_object_ids)
    async with session_factory.begin() as session:
        await issue_certificates(session, run_id=run_id, person_ids=people, now=now, sealer=sealer)
