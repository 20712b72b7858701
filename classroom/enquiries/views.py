"""What cards show of an enquiry, as plain data that also travels as JSON in outbox payloads (``notices``).

A card sent through the outbox is rendered later, without the database, so the payload is a snapshot of
this view. Long texts are cut for the card (the full text stays in the database) so that an enquiry with a
long history still fits in one Teams message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.snapshot import CatalogueSnapshot, version_column
from classroom.catalogue.views import Catalogue
from classroom.outbox import NoticePart
from storage.direct_statements import DirectStatement
from storage.models import (
    Course,
    Enquiry,
    EnquiryAction,
    EnquiryEvent,
    EnquiryKind,
    EnquiryStatus,
)

HISTORY_SHOWN = 6  # the latest events on a card; older ones are counted, not shown
EVENT_TEXT_SHOWN = 300  # a card is at most 28 KB, its plain-text fallback included
NAME_SHOWN = 80


def cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


class CourseRef(NoticePart):
    code: str
    title: str  # empty when the course is no longer in the catalogue


class EventView(NoticePart):
    action: EnquiryAction
    actor_name: str
    at: datetime
    text: str | None = None


class EnquiryView(NoticePart):
    id: int
    reference: str
    kind: EnquiryKind
    status: EnquiryStatus
    enquirer_name: str
    enquirer_email: str
    organisation: str
    job_role: str
    courses: list[CourseRef]
    message: str
    created_at: datetime
    participants: int | None = None
    preferred_dates: str | None = None
    preferred_platform: str | None = None
    assignee_name: str | None = None
    awaiting_since: datetime | None = None
    closed_at: datetime | None = None
    events: list[EventView] = []
    earlier_events: int = 0  # events older than those in ``events``

    @property
    def is_open(self) -> bool:
        return self.status is not EnquiryStatus.CLOSED


_COURSE_TITLES = select(Course.__table__.c.code, Course.__table__.c.title).where(
    Course.__table__.c.code.in_(bindparam("codes", expanding=True))
)
_EVENTS = EnquiryEvent.__table__.c
_OF_THIS = _EVENTS.enquiry_id == bindparam("enquiry_id")
# Only the latest events are shown: load just those and count all (both walks of the enquiry_id index).
_LATEST_EVENTS = (
    select(
        _EVENTS.action,
        _EVENTS.actor_name,
        _EVENTS.at,
        _EVENTS.text,
        select(func.count()).where(_OF_THIS).scalar_subquery(),
    )
    .where(_OF_THIS)
    .order_by(_EVENTS.id.desc())
    .limit(HISTORY_SHOWN)
)


# The same, with the database's catalogue version in each row (``CatalogueSnapshot.checked``): the courses' titles
# then come from the catalogue kept in memory, without a statement of their own.
_LATEST_EVENTS_AT_VERSION = _LATEST_EVENTS.add_columns(version_column())
_LATEST_EVENTS_AT_VERSION_ON = DirectStatement(_LATEST_EVENTS_AT_VERSION)  # a press's, on sqlite3 where it can


async def course_refs(session: AsyncSession, codes: list[str]) -> list[CourseRef]:
    if not codes:
        return []
    titles = dict((await (await session.connection()).execute(_COURSE_TITLES, {"codes": codes})).all())
    return [CourseRef(code=code, title=titles.get(code, "")) for code in codes]


def _refs_in(catalogue: Catalogue, codes: list[str]) -> list[CourseRef]:
    """:func:`course_refs` from the catalogue kept in memory (every course, by code)."""
    courses = catalogue.by_code
    return [CourseRef(code=code, title=course.title if (course := courses.get(code)) else "") for code in codes]


async def _history_and_courses(
    session: AsyncSession, enquiry: Enquiry | Row[Any], catalogue: CatalogueSnapshot | None
) -> tuple[list[Any], list[CourseRef]]:
    """The enquiry's latest events (with the count of all) and its courses' titles. Given ``catalogue`` (this
    process's copy of the catalogue), the titles come from it, checked against the version read with the events;
    an enquiry with no event yet has no version to check by, so its titles are read."""
    connection = await session.connection()
    codes = list(enquiry.course_codes)
    if catalogue is None or not codes:
        latest = list((await connection.execute(_LATEST_EVENTS, {"enquiry_id": enquiry.id})).all())
        return latest, await course_refs(session, codes)

    async def read(copy: Catalogue) -> tuple[int, list[Any]]:
        rows = list((await connection.execute(_LATEST_EVENTS_AT_VERSION, {"enquiry_id": enquiry.id})).all())
        return (int(rows[0].catalogue_version or 0) if rows else copy.version), rows

    copy, latest = await catalogue.checked(session, read)
    return latest, (_refs_in(copy, codes) if latest else await course_refs(session, codes))


async def enquiry_view(
    session: AsyncSession, enquiry: Enquiry | Row[Any], catalogue: CatalogueSnapshot | None = None
) -> EnquiryView:
    """The view of an enquiry (a loaded one, or its row as an UPDATE returned it). ``catalogue``: this process's
    copy of the catalogue, for the courses' titles (else they are read)."""
    latest, courses = await _history_and_courses(session, enquiry, catalogue)
    return view_of(enquiry, latest, courses)


def kept_view_on(connection: Connection, enquiry: Row[Any], catalogue: CatalogueSnapshot | None) -> EnquiryView | None:
    """:func:`enquiry_view` from synchronous code (``run_sync``) on the connection of the caller's transaction, with
    the courses' titles from the catalogue this process keeps: one statement. None when that copy is not the
    database's catalogue (or there is none, or no event to check it by): then :func:`enquiry_view`. An enquiry
    naming no course needs no catalogue."""
    codes = list(enquiry.course_codes)
    if not codes:
        return view_of(enquiry, list(connection.execute(_LATEST_EVENTS, {"enquiry_id": enquiry.id}).all()), [])
    kept = catalogue.kept if catalogue is not None else None
    if kept is None:
        return None
    latest = _LATEST_EVENTS_AT_VERSION_ON.execute(connection, {"enquiry_id": enquiry.id}).rows
    if not latest or int(latest[0][-1] or 0) != kept.version:  # its last column: the catalogue's version
        return None
    return view_of(enquiry, latest, _refs_in(kept, codes))


def view_of(enquiry: Enquiry | Row[Any], latest: list[Any], courses: list[CourseRef]) -> EnquiryView:
    """The view of an enquiry given its latest events (newest first, each with the count of all) and courses."""
    total = latest[0][4] if latest else 0
    return EnquiryView(
        id=enquiry.id,
        reference=enquiry.reference,
        kind=enquiry.kind,
        status=enquiry.status,
        enquirer_name=enquiry.enquirer_name,
        enquirer_email=enquiry.enquirer_email,
        organisation=enquiry.organisation,
        job_role=enquiry.job_role,
        courses=courses,
        message=enquiry.message,
        created_at=enquiry.created_at,
        participants=enquiry.participants,
        preferred_dates=enquiry.preferred_dates,
        preferred_platform=enquiry.preferred_platform,
        assignee_name=enquiry.assignee_name,
        awaiting_since=enquiry.awaiting_since,
        closed_at=enquiry.closed_at,
        events=[
            EventView(action=action, actor_name=cut(actor, NAME_SHOWN) or "", at=at, text=cut(text, EVENT_TEXT_SHOWN))
            for action, actor, at, text, *_counts in reversed(latest)
        ],
        earlier_events=total - len(latest),
    )
