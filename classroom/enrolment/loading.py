"""Reading runs, people and enrolments fresh from the database (after a lock, never from a stale cache)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, lazyload, selectinload

from classroom.errors import NotFound
from storage.models import (
    Course,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    Person,
    RunEligibleOrganisation,
)
from storage.models.enrolment import HOLDS_PLACE

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RUN_OPTIONS = (
    joinedload(CourseRun.course),
    selectinload(CourseRun.sessions),
    selectinload(CourseRun.trainers),
    selectinload(CourseRun.prices),
    selectinload(CourseRun.eligible_organisations).joinedload(RunEligibleOrganisation.organisation),
)
# A person's roles are read only where they decide what someone may do (``load_actor``); elsewhere they are not
# loaded (``Person.roles`` is selectin-loaded by default: one more query per person), and reading them without
# loading them fails loudly (no lazy load on the event loop) rather than answering from nothing.
_WITHOUT_ROLES = lazyload(Person.roles)
ENROLMENT_OPTIONS = (
    joinedload(Enrolment.person).options(joinedload(Person.organisation), _WITHOUT_ROLES),
    joinedload(Enrolment.organisation),
    selectinload(Enrolment.clash_sessions),
    joinedload(Enrolment.reviewed_by).options(_WITHOUT_ROLES),
)


def normalise_code(code: str) -> str:
    return code.strip().upper()[:48]


async def load_run(session: AsyncSession, run_id: int) -> CourseRun:
    run = await session.scalar(
        select(CourseRun).where(CourseRun.id == run_id).options(*_RUN_OPTIONS).execution_options(populate_existing=True)
    )
    if run is None:
        raise NotFound(f"no run with id {run_id}")
    return run


async def run_id_for_code(session: AsyncSession, run_code: str) -> int:
    run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == normalise_code(run_code)))
    if run_id is None:
        raise NotFound(f"no run with code {normalise_code(run_code)}")
    return run_id


async def runs_for_code(session: AsyncSession, code: str) -> list[CourseRun]:
    """The runs a code names: one run by its run code, or every run of a course by the course code."""
    normalised = normalise_code(code)
    runs = (
        await session.scalars(
            select(CourseRun)
            .join(CourseRun.course)
            .where(or_(CourseRun.code == normalised, Course.code == normalised))
            .options(*_RUN_OPTIONS)
            .execution_options(populate_existing=True)
        )
    ).all()
    if not runs:
        raise NotFound(f"no course or run with code {normalised}")
    # Soonest first; a run without sessions (a data error) last.
    return sorted(runs, key=lambda r: (not r.sessions, r.sessions[0].starts_at if r.sessions else _EPOCH, r.code))


async def load_person(session: AsyncSession, aad_object_id: str) -> Person:
    """The person with their organisation, without their roles (see ``load_actor``)."""
    return await _load_person(session, aad_object_id, _WITHOUT_ROLES)


async def load_actor(session: AsyncSession, aad_object_id: str) -> Person:
    """The person with their organisation and their roles: someone whose roles decide what they may do."""
    return await _load_person(session, aad_object_id, selectinload(Person.roles))


async def _load_person(session: AsyncSession, aad_object_id: str, roles: Any) -> Person:
    person = await session.scalar(
        select(Person)
        .where(Person.aad_object_id == aad_object_id)
        .options(joinedload(Person.organisation), roles)
        .execution_options(populate_existing=True)
    )
    if person is None:
        raise NotFound("we have not met this person yet")
    return person


async def find_enrolment(session: AsyncSession, run_id: int, person_id: int) -> Enrolment | None:
    return await session.scalar(
        select(Enrolment)
        .where(Enrolment.run_id == run_id, Enrolment.person_id == person_id)
        .options(*ENROLMENT_OPTIONS)
        .execution_options(populate_existing=True)
    )


async def load_enrolment(session: AsyncSession, enrolment_id: int) -> Enrolment:
    enrolment = await session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .options(*ENROLMENT_OPTIONS)
        .execution_options(populate_existing=True)
    )
    if enrolment is None:
        raise NotFound(f"no enrolment {enrolment_id}")
    return enrolment


async def enrolments_of_run(
    session: AsyncSession, run_id: int, statuses: frozenset[EnrolmentStatus] | set[EnrolmentStatus]
) -> list[Enrolment]:
    """The run's enrolments in these statuses, in the order they joined (the waitlist's queue order)."""
    return list(
        (
            await session.scalars(
                select(Enrolment)
                .where(Enrolment.run_id == run_id, Enrolment.status.in_(list(statuses)))
                .options(*ENROLMENT_OPTIONS)
                .order_by(Enrolment.waitlisted_at, Enrolment.id)
                .execution_options(populate_existing=True)
            )
        )
        .unique()
        .all()
    )


async def places_taken(session: AsyncSession, run_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count(Enrolment.id)).where(Enrolment.run_id == run_id, Enrolment.status.in_(list(HOLDS_PLACE)))
        )
        or 0
    )


async def enrolment_counts(session: AsyncSession, run_ids: list[int]) -> dict[int, dict[EnrolmentStatus, int]]:
    """How many enrolments each run has, by status, in one grouped count (``places_taken`` and ``waitlist_length``
    of several runs at once)."""
    rows = await session.execute(
        select(Enrolment.run_id, Enrolment.status, func.count(Enrolment.id))
        .where(Enrolment.run_id.in_(run_ids))
        .group_by(Enrolment.run_id, Enrolment.status)
    )
    counts: dict[int, dict[EnrolmentStatus, int]] = {}
    for run_id, status, count in rows.all():
        counts.setdefault(run_id, {})[status] = int(count)
    return counts


async def waitlist_length(session: AsyncSession, run_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.run_id == run_id, Enrolment.status == EnrolmentStatus.WAITLISTED
            )
        )
        or 0
    )


async def waitlist_position(session: AsyncSession, enrolment: Enrolment) -> int | None:
    """1 for the next person to be offered a place; None when not on the waitlist."""
    return await waitlist_position_of(
        session, enrolment.run_id, enrolment.id, enrolment.status, enrolment.waitlisted_at
    )


async def waitlist_position_of(
    session: AsyncSession, run_id: int, enrolment_id: int, status: EnrolmentStatus, waitlisted_at: datetime | None
) -> int | None:
    """:func:`waitlist_position` of an enrolment read as plain values."""
    if status != EnrolmentStatus.WAITLISTED or waitlisted_at is None:
        return None
    ahead = await session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.run_id == run_id,
            Enrolment.status == EnrolmentStatus.WAITLISTED,
            or_(
                Enrolment.waitlisted_at < waitlisted_at,
                and_(Enrolment.waitlisted_at == waitlisted_at, Enrolment.id < enrolment_id),
            ),
        )
    )
    return int(ahead or 0) + 1
