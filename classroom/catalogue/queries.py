"""Reading the catalogue: what people browse, search and look up by course code."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, Integer, Row, Select, bindparam, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.snapshot import CatalogueSnapshot, Database
from classroom.catalogue.views import Catalogue, CourseView, RunView, SessionView
from classroom.errors import NotFound
from storage.direct_statements import DirectStatement
from storage.models import CatalogueVersion, Enrolment, Organisation, OrganisationStatus, Person
from storage.models.enrolment import HOLDS_PLACE
from storage.models.people import SETTLED_ORGANISATION

T = TypeVar("T")


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
    # False: someone we know is looking whose organisation is not settled (none yet, or their own choice waiting
    # for a coordinator), so evidence from Teams might settle it and change the price shown.
    viewer_settled: bool = True

    @property
    def next_run(self) -> RunOverview | None:
        return self.upcoming_runs[0] if self.upcoming_runs else None


_HELD = sorted(HOLDS_PLACE)


async def seats_held_on(session: Database, run_ids: list[int]) -> dict[int, int]:
    """Places taken (confirmed, under review, or offered to the waitlist) on each of ``run_ids``, one count."""
    if not run_ids:
        return {}
    rows = await session.execute(
        select(Enrolment.run_id, func.count())
        .where(Enrolment.run_id.in_(run_ids), Enrolment.status.in_(_HELD))
        .group_by(Enrolment.run_id)
    )
    return {run_id: count for run_id, count in rows.all()}


@dataclass(frozen=True)
class _Live:
    """What a turn reads fresh: places taken on the runs it shows, and who is looking."""

    held: dict[int, int]
    viewer: ViewerBand | None = None
    viewer_settled: bool = True


# Runs whose ids are bound one by one (``run_0``, ``run_1``…): a statement per number of runs, each compiled once.
# An IN over a list bound as one expanding parameter is rewritten for its length on every execution, a fifth of
# the statement's CPU on this path (more runs than this, rare: that one statement).
RUNS_BOUND_ONE_BY_ONE = 32
# The statuses holding a place, bound one by one too (``held_0``…: a literal list is an expanding parameter).
_HELD_PARAMETERS = {f"held_{i}": status for i, status in enumerate(_HELD)}


def _live_statement_for(run_ids: list[int]) -> Select[Any]:
    return _live_statement(min(len(run_ids), RUNS_BOUND_ONE_BY_ONE + 1))  # every longer list: one statement


@cache
def _live_statement(runs: int) -> Select[Any]:
    """One statement, one row per run with places taken (or one row of NULLs): the catalogue version (so checking
    the copy kept in memory costs no statement of its own), the viewer's organisation and band, and the counts
    over ``runs`` runs."""
    if runs > RUNS_BOUND_ONE_BY_ONE:
        on_runs: ColumnElement[bool] = Enrolment.run_id.in_(bindparam("run_ids", expanding=True))
    elif runs == 0:
        on_runs = false()
    else:
        on_runs = Enrolment.run_id.in_([bindparam(f"run_{i}", type_=Integer()) for i in range(runs)])
    statuses = [bindparam(name, value, type_=Enrolment.status.type) for name, value in _HELD_PARAMETERS.items()]
    held_on = (
        select(Enrolment.run_id, func.count().label("held"))
        .where(on_runs, Enrolment.status.in_(statuses))
        .group_by(Enrolment.run_id)
        .subquery("held_on")
    )
    return (
        select(
            CatalogueVersion.version,
            Person.id.label("person_id"),
            Person.organisation_status,
            Organisation.name,
            Organisation.price_band,
            held_on.c.run_id,
            held_on.c.held,
        )
        .select_from(CatalogueVersion)
        .outerjoin(Person, Person.aad_object_id == bindparam("viewer"))
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(held_on, true())
        .where(CatalogueVersion.id == 1)
    )


def _live_parameters(run_ids: list[int], viewer: str | None) -> dict[str, Any]:
    if len(run_ids) > RUNS_BOUND_ONE_BY_ONE:
        return {"run_ids": run_ids, "viewer": viewer}
    parameters: dict[str, Any] = {f"run_{i}": run_id for i, run_id in enumerate(run_ids)}
    parameters["viewer"] = viewer
    return parameters


async def _live(session: Database, run_ids: list[int], viewer: str | None) -> tuple[int, _Live]:
    """The catalogue version and, in the same statement, places taken on ``run_ids`` and the viewer's band."""
    # On the session's connection (Core, not the ORM): nothing here is an entity, and it runs on most turns.
    connection = await session.connection() if isinstance(session, AsyncSession) else session
    rows = (await connection.execute(_live_statement_for(run_ids), _live_parameters(run_ids, viewer))).all()
    if not rows:  # no version row (a database emptied by hand): count on their own
        return 0, _Live(await seats_held_on(session, run_ids))
    return _live_from(rows)


def _live_on(connection: Connection, run_ids: list[int], viewer: str | None) -> tuple[int, _Live] | None:
    """:func:`_live` from synchronous code; None when there is no version row (:func:`_live` handles that)."""
    statement = _live_direct(min(len(run_ids), RUNS_BOUND_ONE_BY_ONE + 1))
    rows = statement.execute(connection, _live_parameters(run_ids, viewer)).rows
    return _live_from(rows) if rows else None


@cache
def _live_direct(runs: int) -> DirectStatement:
    """:func:`_live_statement` run by the driver directly (``storage/direct_statements.py``): the read of most
    catalogue turns (details, lists), where ``execute``'s own work cost more than the statement."""
    return DirectStatement(_live_statement(runs), named=True)


def _live_from(rows: Sequence[Row[Any]] | Sequence[Any]) -> tuple[int, _Live]:
    first = rows[0]
    held = {row.run_id: row.held for row in rows if row.run_id is not None}
    if first.person_id is None:
        return first.version, _Live(held)
    band = None
    if first.name is not None:
        band = ViewerBand(first.name, first.price_band, first.organisation_status != OrganisationStatus.PENDING)
    settled = first.name is not None and first.organisation_status in SETTLED_ORGANISATION
    return first.version, _Live(held, band, settled)


def _upcoming_runs(course: CourseView, now: datetime) -> list[RunView]:
    """Runs whose first session has not started yet, soonest first."""
    runs = [run for run in course.runs if run.sessions and run.sessions[0].starts_at > now]
    return sorted(runs, key=lambda run: run.sessions[0].starts_at)


def _overview(course: CourseView, runs: list[RunView], held: dict[int, int]) -> CourseOverview:
    return CourseOverview(course, [_run_overview(run, held) for run in runs])


def _run_overview(run: RunView, held: dict[int, int]) -> RunOverview:
    return RunOverview(run, run.sessions[0], run.sessions[-1], max(0, run.capacity - held.get(run.id, 0)))


@dataclass(frozen=True)
class _Plan(Generic[T]):
    """What a read needs live for a catalogue (places taken on these runs, this viewer's band), and what it makes
    of it: the same plan read on an async connection (:func:`_read_live`) or from synchronous code
    (:func:`_read_kept`)."""

    run_ids: list[int]
    viewer: str | None
    make: Callable[[_Live], T]


async def _read_live(session: Database, snapshot: CatalogueSnapshot, plan: Callable[[Catalogue], _Plan[T]]) -> T:
    async def read(catalogue: Catalogue) -> tuple[int, T]:
        planned = plan(catalogue)
        version, live = await _live(session, planned.run_ids, planned.viewer)
        return version, planned.make(live)

    return (await snapshot.checked(session, read))[1]


class _Stale:
    """:func:`_read_kept`: no copy is kept, or the database's catalogue is another version."""


_STALE = _Stale()


def _read_kept(
    connection: Connection, snapshot: CatalogueSnapshot, plan: Callable[[Catalogue], _Plan[T]]
) -> T | _Stale:
    """The plan read for the catalogue this process keeps, on ``connection`` from synchronous code; ``_STALE``
    when no copy is kept or the database's catalogue is another version (:func:`_read_live` then rebuilds and
    reads)."""
    catalogue = snapshot.kept
    if catalogue is None:
        return _STALE
    planned = plan(catalogue)
    read = _live_on(connection, planned.run_ids, planned.viewer)
    if read is None or read[0] != catalogue.version:
        return _STALE
    return planned.make(read[1])


def _overviews_plan(
    now: datetime, pick: Callable[[Catalogue], list[CourseView]]
) -> Callable[[Catalogue], _Plan[list[CourseOverview]]]:
    """The courses ``pick`` chooses from the catalogue, with their upcoming runs and places left, in listing order
    (one statement: the counts over the runs shown, and the catalogue's freshness)."""

    def plan(catalogue: Catalogue) -> _Plan[list[CourseOverview]]:
        upcoming = [(course, _upcoming_runs(course, now)) for course in pick(catalogue)]

        def make(live: _Live) -> list[CourseOverview]:
            overviews = [_overview(course, runs, live.held) for course, runs in upcoming]
            # Courses with a run coming up first (soonest first), then the rest by title.
            return sorted(
                overviews,
                key=lambda o: (
                    o.next_run is None,
                    o.next_run.first_session.starts_at if o.next_run else now,
                    o.course.title,
                ),
            )

        return _Plan([run.id for _, runs in upcoming for run in runs], None, make)

    return plan


def _all_courses(catalogue: Catalogue) -> list[CourseView]:
    return list(catalogue.courses)


async def list_courses(
    session: Database, now: datetime, snapshot: CatalogueSnapshot | None = None
) -> list[CourseOverview]:
    return await _read_live(session, snapshot or CatalogueSnapshot(), _overviews_plan(now, _all_courses))


def list_courses_kept(
    connection: Connection, now: datetime, snapshot: CatalogueSnapshot
) -> list[CourseOverview] | None:
    """:func:`list_courses` from synchronous code, for the catalogue kept (None: :func:`list_courses` is needed)."""
    read = _read_kept(connection, snapshot, _overviews_plan(now, _all_courses))
    return None if isinstance(read, _Stale) else read


def _course_plan(
    normalised: str, now: datetime, viewer_aad_object_id: str | None
) -> Callable[[Catalogue], _Plan[CourseOverview | None]]:
    def plan(catalogue: Catalogue) -> _Plan[CourseOverview | None]:
        course = catalogue.by_code.get(normalised)
        runs = _upcoming_runs(course, now) if course is not None else []

        def make(live: _Live) -> CourseOverview | None:
            if course is None:
                return None
            overview = _overview(course, runs, live.held)
            return CourseOverview(overview.course, overview.upcoming_runs, live.viewer, live.viewer_settled)

        return _Plan([run.id for run in runs], viewer_aad_object_id, make)

    return plan


async def course_by_code(
    session: Database,
    code: str,
    now: datetime,
    viewer_aad_object_id: str | None = None,
    snapshot: CatalogueSnapshot | None = None,
) -> CourseOverview:
    """A course with everything its details card shows, and the viewer's price band when we know their
    organisation (``viewer_settled`` False: we know them, but not for certain where they work); raises NotFound
    for an unknown code. One statement when the catalogue kept is current."""
    normalised = code.strip().upper()
    plan = _course_plan(normalised, now, viewer_aad_object_id)
    return _found(await _read_live(session, snapshot or CatalogueSnapshot(), plan), normalised)


def course_by_code_kept(
    connection: Connection, code: str, now: datetime, viewer_aad_object_id: str | None, snapshot: CatalogueSnapshot
) -> CourseOverview | None:
    """:func:`course_by_code` from synchronous code, for the catalogue kept (None: :func:`course_by_code` is
    needed); raises NotFound for an unknown code."""
    normalised = code.strip().upper()
    read = _read_kept(connection, snapshot, _course_plan(normalised, now, viewer_aad_object_id))
    return None if isinstance(read, _Stale) else _found(read, normalised)


def _found(overview: CourseOverview | None, normalised: str) -> CourseOverview:
    if overview is None:
        raise NotFound(f"no course with code {normalised}")
    return overview


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


def _matching(words: list[str]) -> Callable[[Catalogue], list[CourseView]]:
    def matching(catalogue: Catalogue) -> list[CourseView]:
        return [
            course
            for course in catalogue.courses
            if all(any(word in text for text in course.searchable) for word in words)
        ]

    return matching


async def search_courses(
    session: Database, query: str, now: datetime, snapshot: CatalogueSnapshot | None = None
) -> list[CourseOverview]:
    """Courses where every word of the query appears in the code, title, texts or an outcome."""
    words = search_words(query)
    if not words:
        return []
    return await _read_live(session, snapshot or CatalogueSnapshot(), _overviews_plan(now, _matching(words)))


def search_courses_kept(
    connection: Connection, query: str, now: datetime, snapshot: CatalogueSnapshot
) -> list[CourseOverview] | None:
    """:func:`search_courses` from synchronous code, for the catalogue kept (None: :func:`search_courses` is needed)."""
    words = search_words(query)
    if not words:
        return []
    read = _read_kept(connection, snapshot, _overviews_plan(now, _matching(words)))
    return None if isinstance(read, _Stale) else read
