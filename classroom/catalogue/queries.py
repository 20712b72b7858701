"""Reading the catalogue: what people browse, search and look up by course code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from classroom.errors import NotFound
from storage.models import (
    Course,
    CourseRun,
    LearningOutcome,
    Organisation,
    OrganisationStatus,
    Person,
    RunEligibleOrganisation,
    RunSession,
)
from storage.models.enrolment import seats_held


@dataclass(frozen=True)
class RunOverview:
    """A run as a list shows it: when it starts and how many places are left."""

    run: CourseRun
    first_session: RunSession
    last_session: RunSession
    places_left: int


@dataclass(frozen=True)
class ViewerBand:
    """The price band of the person looking, from their organisation: their price is shown first."""

    organisation_name: str
    price_band: int
    confirmed: bool = True  # False: their own word, waiting for a coordinator (the price is to be confirmed)


@dataclass(frozen=True)
class CourseOverview:
    course: Course
    upcoming_runs: list[RunOverview]
    viewer: ViewerBand | None = None  # None: we do not know who is looking, or their organisation

    @property
    def next_run(self) -> RunOverview | None:
        return self.upcoming_runs[0] if self.upcoming_runs else None


def _with_everything(statement: Select[Course]) -> Select[Course]:
    return statement.options(
        selectinload(Course.learning_outcomes),
        selectinload(Course.runs).selectinload(CourseRun.sessions),
        selectinload(Course.runs).selectinload(CourseRun.trainers),
        selectinload(Course.runs).selectinload(CourseRun.prices),
        selectinload(Course.runs)
        .selectinload(CourseRun.eligible_organisations)
        .selectinload(RunEligibleOrganisation.organisation),
    )


def places_left(run: CourseRun) -> int:
    # Places held (confirmed, under trainer review, or offered to the waitlist) are loaded with the run.
    return max(0, run.capacity - seats_held(run))


def _upcoming(course: Course, now: datetime) -> list[RunOverview]:
    """Runs whose first session has not started yet, soonest first."""
    runs = []
    for run in course.runs:
        if run.sessions and run.sessions[0].starts_at > now:
            runs.append(RunOverview(run, run.sessions[0], run.sessions[-1], places_left(run)))
    return sorted(runs, key=lambda r: r.first_session.starts_at)


def _overview(courses: list[Course], now: datetime) -> list[CourseOverview]:
    overviews = [CourseOverview(c, _upcoming(c, now)) for c in courses]
    # Courses with a run coming up first (soonest first), then the rest by title.
    return sorted(
        overviews,
        key=lambda o: (o.next_run is None, o.next_run.first_session.starts_at if o.next_run else now, o.course.title),
    )


async def list_courses(session: AsyncSession, now: datetime) -> list[CourseOverview]:
    courses = (await session.scalars(_with_everything(select(Course)))).all()
    return _overview(list(courses), now)


_COURSE_BY_CODE = _with_everything(select(Course).where(Course.code == bindparam("code")))


_VIEWER_BAND = (
    select(Organisation.name, Organisation.price_band, Person.organisation_status)
    .join(Person, Person.organisation_id == Organisation.id)
    .where(Person.aad_object_id == bindparam("aad_object_id"))
)


async def course_by_code(
    session: AsyncSession, code: str, now: datetime, viewer_aad_object_id: str | None = None
) -> CourseOverview:
    """A course with everything its details card shows, and the viewer's price band when we know their
    organisation; raises NotFound for an unknown code."""
    normalised = code.strip().upper()
    course = await session.scalar(_COURSE_BY_CODE, {"code": normalised})
    if course is None:
        raise NotFound(f"no course with code {normalised}")
    viewer = None
    if viewer_aad_object_id:
        band = (await session.execute(_VIEWER_BAND, {"aad_object_id": viewer_aad_object_id})).first()
        if band is not None:
            viewer = ViewerBand(band.name, band.price_band, band.organisation_status != OrganisationStatus.PENDING)
    return CourseOverview(course, _upcoming(course, now), viewer)


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


async def search_courses(session: AsyncSession, query: str, now: datetime) -> list[CourseOverview]:
    """Courses where every word of the query appears in the code, title, texts or an outcome."""
    words = search_words(query)
    if not words:
        return []
    conditions = []
    for word in words:
        fields = [Course.code, Course.title, Course.summary, Course.description, Course.target_audience]
        in_outcome = exists().where(
            and_(
                LearningOutcome.course_id == Course.id, func.lower(LearningOutcome.text).contains(word, autoescape=True)
            )
        )
        conditions.append(or_(*(func.lower(f).contains(word, autoescape=True) for f in fields), in_outcome))
    courses = (await session.scalars(_with_everything(select(Course).where(and_(*conditions))))).all()
    return _overview(list(courses), now)
