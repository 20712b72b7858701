"""The catalogue as plain, immutable values: what the course cards and search read, built from the database in
one go and shared by every turn until the catalogue changes (``classroom/catalogue/snapshot.py``).

Places left are not here: they change with every enrolment, and are counted for each request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Course, CourseRun, RunEligibleOrganisation


@dataclass(frozen=True, slots=True)
class SessionView:
    id: int
    position: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class PriceView:
    band: int
    amount_pence: int


@dataclass(frozen=True, slots=True)
class RunView:
    id: int
    code: str
    capacity: int
    join_url: str | None
    eligible_audience: str
    sessions: tuple[SessionView, ...]
    trainer_names: tuple[str, ...]
    prices: tuple[PriceView, ...]  # by band
    eligible_organisations: tuple[str, ...]  # names; none: open to every organisation


@dataclass(frozen=True, slots=True)
class OutcomeView:
    id: int
    text: str


@dataclass(frozen=True, slots=True)
class CourseView:
    id: int
    code: str
    title: str
    summary: str
    description: str
    target_audience: str
    prerequisites: str
    duration: str
    outline_url: str | None
    delivery: str
    learning_outcomes: tuple[str, ...]
    runs: tuple[RunView, ...]
    # What planning a place's reflection prompts and surveys reads (``KeptRun``): the outcomes with their ids, and
    # the course's own wording of the reflection questions.
    outcomes: tuple[OutcomeView, ...] = field(repr=False)
    reflection_questions: Mapping[str, str] | None = field(repr=False, compare=False)  # a dict: not hashed
    # Everything search looks in, lower-cased once (code, title, texts, outcomes).
    searchable: tuple[str, ...] = field(repr=False)


class PlannedSession(Protocol):
    """A session as planning a place's reminders and prompts reads it: a ``RunSession`` or a ``SessionView``."""

    @property
    def id(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


class PlannedOutcome(Protocol):
    """A learning outcome: a ``LearningOutcome`` or an ``OutcomeView``."""

    @property
    def id(self) -> int: ...
    @property
    def text(self) -> str: ...


class PlannedCourse(Protocol):
    """A course as planning reads it: a ``Course`` or a ``CourseView``."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def prerequisites(self) -> str: ...
    @property
    def outline_url(self) -> str | None: ...
    @property
    def reflection_questions(self) -> Mapping[str, str] | None: ...


class PlannedRun(Protocol):
    """A run as planning its participants' reminders, reflection prompts and surveys reads it: a ``CourseRun``
    (its course and sessions loaded) or a :class:`KeptRun`."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def course_id(self) -> int: ...
    @property
    def join_url(self) -> str | None: ...
    @property
    def course(self) -> PlannedCourse: ...
    @property
    def sessions(self) -> Sequence[PlannedSession]: ...


@dataclass(frozen=True, slots=True)
class KeptRun:
    """A run of the catalogue kept in memory, as planning reads it (:class:`PlannedRun`)."""

    course: CourseView
    run: RunView

    @property
    def id(self) -> int:
        return self.run.id

    @property
    def code(self) -> str:
        return self.run.code

    @property
    def course_id(self) -> int:
        return self.course.id

    @property
    def join_url(self) -> str | None:
        return self.run.join_url

    @property
    def sessions(self) -> tuple[SessionView, ...]:
        return self.run.sessions


@dataclass(frozen=True)
class Catalogue:
    """Every course, by code, and every run with its course, by id and by its own code; ``version`` is the
    database's catalogue version it was built at."""

    version: int
    courses: tuple[CourseView, ...]
    by_code: dict[str, CourseView]
    runs_by_id: dict[int, tuple[CourseView, RunView]]
    runs_by_code: dict[str, tuple[CourseView, RunView]]


_EVERYTHING = select(Course).options(
    selectinload(Course.learning_outcomes),
    selectinload(Course.runs).selectinload(CourseRun.sessions),
    selectinload(Course.runs).selectinload(CourseRun.trainers),
    selectinload(Course.runs).selectinload(CourseRun.prices),
    selectinload(Course.runs)
    .selectinload(CourseRun.eligible_organisations)
    .selectinload(RunEligibleOrganisation.organisation),
)


async def load_catalogue(session: AsyncSession, version: int) -> Catalogue:
    """Read the whole catalogue (a handful of queries, whatever its size) into plain values."""
    courses = tuple(_course(course) for course in (await session.scalars(_EVERYTHING)).all())
    runs_by_id = {run.id: (course, run) for course in courses for run in course.runs}
    runs_by_code = {run.code: (course, run) for course, run in runs_by_id.values()}
    return Catalogue(version, courses, {course.code: course for course in courses}, runs_by_id, runs_by_code)


def _course(course: Course) -> CourseView:
    outcomes = tuple(outcome.text for outcome in course.learning_outcomes)
    texts = (course.code, course.title, course.summary, course.description, course.target_audience, *outcomes)
    questions = course.reflection_questions
    return CourseView(
        id=course.id,
        code=course.code,
        title=course.title,
        summary=course.summary,
        description=course.description,
        target_audience=course.target_audience,
        prerequisites=course.prerequisites,
        duration=course.duration,
        outline_url=course.outline_url,
        delivery=course.delivery,
        learning_outcomes=outcomes,
        runs=tuple(_run(run) for run in course.runs),
        searchable=tuple(text.lower() for text in texts if text),
        outcomes=tuple(OutcomeView(outcome.id, outcome.text) for outcome in course.learning_outcomes),
        reflection_questions=dict(questions) if questions else None,
    )


def _run(run: CourseRun) -> RunView:
    return RunView(
        id=run.id,
        code=run.code,
        capacity=run.capacity,
        join_url=run.join_url,
        eligible_audience=run.eligible_audience,
        sessions=tuple(SessionView(s.id, s.position, s.starts_at, s.ends_at) for s in run.sessions),
        trainer_names=tuple(trainer.name for trainer in run.trainers),
        prices=tuple(PriceView(price.band, price.amount_pence) for price in run.prices),
        eligible_organisations=tuple(e.organisation.name for e in run.eligible_organisations),
    )
