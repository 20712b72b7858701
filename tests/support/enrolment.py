"""A small catalogue for enrolment tests: a four-session run limited to two councils and a one-day run open
to all, with linked and unlinked trainers, prices for every band, and people at each organisation."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.catalogue.file_format import (
    CatalogueDocument,
    CourseSpec,
    OrganisationSpec,
    RunSpec,
    SessionSpec,
    TrainerSpec,
)
from classroom.catalogue.importer import import_catalogue
from classroom.enrolment.organisations import assign_organisation_by_name
from classroom.people import assign_roles
from storage.models import NotificationStatus, OutboxNotification, Role

LONDON = ZoneInfo("Europe/London")
BHCC = "Brighton & Hove City Council"
DOWNLAND = "Downland County Council"
SOUTHCOAST = "Southcoast Independent Fostering Agency"
TRAINER_AAD = "aad-trainer-zoe"
OTHER_TRAINER_AAD = "aad-trainer-other"
COORDINATOR_AAD = "aad-coordinator"
MULTI, MULTI_RUN = "PERMX", "PERMX-A"
ONE_DAY, ONE_DAY_RUN = "ONEDAY", "ONEDAY-1"
PRICES = {1: 32000, 2: 36000, 3: 40000, 4: 44000, 5: 48000}


def london(day: date, at: time) -> datetime:
    """A London wall-clock time as UTC (BST or GMT as it falls)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def weekly_session(first_day: date, position: int) -> tuple[datetime, datetime]:
    """Session ``position`` of a run from ``world(first_day)``: 10:00-15:00 London, a week apart."""
    day = first_day + timedelta(weeks=position - 1)
    return london(day, time(10)), london(day, time(15))


def weekly_sessions(first_day: date, count: int) -> tuple[SessionSpec, ...]:
    days = [first_day + timedelta(weeks=i) for i in range(count)]
    return tuple(SessionSpec(london(d, time(10)), london(d, time(15))) for d in days)


def world(
    first_day: date,
    *,
    capacity: int = 3,
    sessions: int = 4,
    one_day_capacity: int = 1,
    join_url: str = "https://teams.microsoft.com/l/meetup-join/test-permx",
) -> CatalogueDocument:
    multi = RunSpec(
        code=MULTI_RUN,
        capacity=capacity,
        sessions=weekly_sessions(first_day, sessions),
        join_url=join_url,
        eligible_audience="Children's Services staff of two councils",
        eligible_organisations=(BHCC, DOWNLAND),
        trainers=(TrainerSpec("Zoe Rosenfield", TRAINER_AAD), TrainerSpec("Rebecca Watts")),
        prices_pence=PRICES,
    )
    one_day = RunSpec(
        code=ONE_DAY_RUN,
        capacity=one_day_capacity,
        sessions=weekly_sessions(first_day + timedelta(days=2), 1),
        join_url="https://teams.microsoft.com/l/meetup-join/test-oneday",
        prices_pence={1: 9500, 2: 11000},
    )
    return CatalogueDocument(
        timezone="Europe/London",
        organisations=(OrganisationSpec(BHCC, 1), OrganisationSpec(DOWNLAND, 2), OrganisationSpec(SOUTHCOAST, 5)),
        courses=(
            CourseSpec(
                code=MULTI,
                title="Permanence in four sessions",
                summary="Four sessions; attend every date.",
                target_audience="Children's Services",
                duration="4 sessions",
                learning_outcomes=("understand permanence",),
                prerequisites="Microsoft Teams, online learning session",
                outline_url="https://example.org/permx-outline.pdf",
                runs=(multi,),
            ),
            CourseSpec(
                code=ONE_DAY,
                title="Permanence planning in a day",
                summary="One day.",
                target_audience="Social Work Practitioners",
                duration="One day",
                learning_outcomes=("plan for permanence",),
                runs=(one_day,),
            ),
        ),
    )


def with_runs(document: CatalogueDocument, course_code: str, *runs: RunSpec) -> CatalogueDocument:
    """``document`` with more runs of one of its courses."""
    courses = tuple(
        dataclasses.replace(c, runs=(*c.runs, *runs)) if c.code == course_code else c for c in document.courses
    )
    return dataclasses.replace(document, courses=courses)


async def load_world(session_factory: async_sessionmaker[AsyncSession], document: CatalogueDocument) -> None:
    async with session_factory.begin() as session:
        await import_catalogue(session, document)
        await assign_roles(session, COORDINATOR_AAD, [Role.COORDINATOR], "Adele Vance")
        await assign_roles(session, OTHER_TRAINER_AAD, [Role.TRAINER], "Megan Bowen")


async def add_person(
    session_factory: async_sessionmaker[AsyncSession],
    aad_object_id: str,
    name: str,
    organisation: str | None = BHCC,
    roles: Iterable[Role] = (Role.PARTICIPANT,),
) -> None:
    async with session_factory.begin() as session:
        await assign_roles(session, aad_object_id, roles, name)
        if organisation is not None:
            await assign_organisation_by_name(session, aad_object_id, organisation)


async def outbox(
    session_factory: async_sessionmaker[AsyncSession],
    kind: str | None = None,
    *,
    status: NotificationStatus | None = NotificationStatus.PENDING,
    recipient: str | None = None,
) -> list[OutboxNotification]:
    """Outbox rows (pending ones by default), oldest due first."""
    statement = select(OutboxNotification).order_by(OutboxNotification.due_at, OutboxNotification.id)
    if kind is not None:
        statement = statement.where(OutboxNotification.kind == kind)
    if status is not None:
        statement = statement.where(OutboxNotification.status == status)
    if recipient is not None:
        statement = statement.where(OutboxNotification.recipient_aad_object_id == recipient)
    async with session_factory() as session:
        return list((await session.scalars(statement)).all())


async def delivered(
    session_factory: async_sessionmaker[AsyncSession],
    kind: str,
    recipient: str | None = None,
    *,
    at: datetime | None = None,
) -> int:
    """Mark the pending notifications of ``kind`` (to ``recipient``, or anyone) sent (``at`` that time), each with a
    Teams message id, as the dispatcher leaves them: copies Teams has, which a change of the card must replace.
    Returns how many."""
    rows = await outbox(session_factory, kind, recipient=recipient)
    async with session_factory.begin() as session:
        for row in rows:
            await session.execute(
                update(OutboxNotification)
                .where(OutboxNotification.id == row.id)
                .values(
                    status=NotificationStatus.SENT,
                    activity_id=f"msg-{row.id}",
                    sent_conversation_id="a:chat",
                    sent_at=at,
                )
            )
    return len(rows)
