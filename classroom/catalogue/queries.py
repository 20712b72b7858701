"""Reading the catalogue: what people browse, search and look up by course code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.snapshot import catalogue_version
from classroom.catalogue.views import Catalogue, CourseView, RunView, SessionView, load_catalogue
from classroom.errors import NotFound
from storage.models import Enrolment, Organisation, OrganisationStatus, Person
from storage.models.enrolment import HOLDS_PLACE


@dataclass(frozen=True)
class RunOverview:
    """A run as a list shows it: when it starts and how many places are left."""

    run: RunView
    first_session: SessionView
    last_session: SessionView
    places_left: int


@dataclass(frozen=True)
class ViewerBand:
    """The price band of the person looking, from their organisation: their price is shown first."""

    organisation_name: str
    price_band: int
    confirmed: bool = True  # False: their own word, waiting for a coordinator (the price is to be confirmed)


@dataclass(frozen=True)
class CourseOverview:
    course: CourseView
    upcoming_runs: list[RunOverview]
    viewer: ViewerBand | None = None  # None: we do not know who is looking, or their organisation

    @property
    def next_run(self) -> RunOverview | None:
        return self.upcoming_runs[0] if self.upcoming_runs else None


_HELD = sorted(HOLDS_PLACE)


async def seats_held_on(session: AsyncSession, run_ids: list[int]) -> dict[int, int]:
    """Places taken (confirmed, under review, or offered to the waitlist) on each of ``run_ids``, one count."""
    if not run_ids:
        return {}
    rows = await session.execute(
        select(Enrolment.run_id, func.count())
        .where(Enrolment.run_id.in_(run_ids), Enrolment.status.in_(_HELD))
        .group_by(Enrolment.run_id)
    )
    return {run_id: count for run_id, count in rows.all()}


async def _catalogue(session: AsyncSession, catalogue: Catalogue | None) -> Catalogue:
    """The caller's copy of the catalogue, or (no copy kept) the catalogue read now."""
    return catalogue if catalogue is not None else await load_catalogue(session, await catalogue_version(session))


def _upcoming_runs(course: CourseView, now: datetime) -> list[RunView]:
    """Runs whose first session has not started yet, soonest first."""
    runs = [run for run in course.runs if run.sessions and run.sessions[0].starts_at > now]
    return sorted(runs, key=lambda run: run.sessions[0].starts_at)


async def _overviews(session: AsyncSession, courses: list[CourseView], now: datetime) -> list[CourseOverview]:
    """The courses with their upcoming runs and places left (one count over the runs shown)."""
    upcoming = {course.code: _upcoming_runs(course, now) for course in courses}
    held = await seats_held_on(session, [run.id for runs in upcoming.values() for run in runs])
    return [
        CourseOverview(
            course,
            [
                RunOverview(run, run.sessions[0], run.sessions[-1], max(0, run.capacity - held.get(run.id, 0)))
                for run in upcoming[course.code]
            ],
        )
        for course in courses
    ]


def _in_listing_order(overviews: list[CourseOverview], now: datetime) -> list[CourseOverview]:
    # Courses with a run coming up first (soonest first), then the rest by title.
    return sorted(
        overviews,
        key=lambda o: (o.next_run is None, o.next_run.first_session.starts_at if o.next_run else now, o.course.title),
    )


async def list_courses(
    session: AsyncSession, now: datetime, catalogue: Catalogue | None = None
) -> list[CourseOverview]:
    courses = list((await _catalogue(session, catalogue)).courses)
    return _in_listing_order(await _overviews(session, courses, now), now)


_VIEWER_BAND = (
    select(Organisation.name, Organisation.price_band, Person.organisation_status)
    .join(Person, Person.organisation_id == Organisation.id)
    .where(Person.aad_object_id == bindparam("aad_object_id"))
)


async def course_by_code(
    session: AsyncSession,
    code: str,
    now: datetime,
    viewer_aad_object_id: str | None = None,
    catalogue: Catalogue | None = None,
) -> CourseOverview:
    """A course with everything its details card shows, and the viewer's price band when we know their
    organisation; raises NotFound for an unknown code."""
    normalised = code.strip().upper()
    course = (await _catalogue(session, catalogue)).by_code.get(normalised)
    if course is None:
        raise NotFound(f"no course with code {normalised}")
    viewer = None
    if viewer_aad_object_id:
        band = (await session.execute(_VIEWER_BAND, {"aad_object_id": viewer_aad_object_id})).first()
        if band is not None:
            viewer = ViewerBand(band.name, band.price_band, band.organisation_status != OrganisationStatus.PENDING)
    [overview] = await _overviews(session, [course], now)
    return CourseOverview(overview.course, overview.upcoming_runs, viewer)


_WORD = re.compile(r"[\w'’-]+", re.UNICODE)
# Words that say nothing about a course, so "what about the voice of the child?" searches "voice child".
_STOP_WORDS = frozenset(
    """a about am an and any are as at be by can course courses do does for from have how i in is it me my of on
    or our please show tell that the there this to want what when where which who with you your""".split()
)


def search_words(query: str) -> list[str]:
    """The telling words of a search, lower-cased, at most eight (a pasted paragraph stays cheap)."""
    words = [w.lower() for w in _WORD.findall(query)]
    return [w for w in words if w not in _STOP_WORDS and len(w) > 1][:8]


async def search_courses(
    session: AsyncSession, query: str, now: datetime, catalogue: Catalogue | None = None
) -> list[CourseOverview]:
    """Courses where every word of the query appears in the code, title, texts or an outcome."""
    words = search_words(query)
    if not words:
        return []
    found = [
        course
        for course in (await _catalogue(session, catalogue)).courses
        if all(any(word in text for text in course.searchable) for word in words)
    ]
    return _in_listing_order(await _overviews(session, found, now), now)
