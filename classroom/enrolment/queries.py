"""Reading enrolments: the terms before enrolling, "my courses", and a run's roster."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Connection, Row, Select, and_, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.snapshot import CatalogueSnapshot, version_column
from classroom.catalogue.views import Catalogue, CourseView, RunView
from classroom.enrolment.authorisation import may_oversee
from classroom.enrolment.calendar_links import link_hash_parameters, link_hash_slots, stored_link_of
from classroom.enrolment.eligibility import (
    Applicant,
    ApplicantFacts,
    EmployerFacts,
    check_eligibility_of,
    organisation_confirmed,
    price_for,
)
from classroom.enrolment.errors import EnrolmentClosed, EnrolmentRefused
from classroom.enrolment.loading import (
    enrolment_counts,
    enrolments_of_run,
    load_actor,
    normalise_code,
    runs_for_code,
    waitlist_position,
    waitlist_position_of,
)
from classroom.enrolment.views import (
    EnrolmentView,
    Quote,
    Roster,
    RosterEntry,
    RunChoice,
    RunDetails,
    SessionTime,
    enrolment_view,
    run_details,
    run_details_of,
)
from classroom.errors import NotAllowed, NotFound
from storage.direct_statements import DirectStatement
from storage.models import (
    CourseRun,
    Enrolment,
    EnrolmentClashSession,
    EnrolmentStatus,
    Organisation,
    OrganisationStatus,
    Person,
    RunSession,
)
from storage.models.enrolment import ENDED, HOLDS_PLACE


def _finished(run: CourseRun, now: datetime) -> bool:
    return not run.sessions or run.sessions[-1].ends_at <= now


async def open_runs(session: AsyncSession, code: str, now: datetime, catalogue: Catalogue) -> list[RunChoice]:
    """The runs a course or run code names that still take enrolments, soonest first: their details from
    ``catalogue`` (kept in memory, as of this transaction), their places and waitlists in one grouped count.

    Raises:
        NotFound: no course or run has that code.
    """
    open_ = open_runs_named(code, now, catalogue)
    if not open_:
        return []
    counts = await enrolment_counts(session, [run.id for _, run in open_])
    choices = []
    for c, run in open_:
        taken = sum(n for status, n in counts.get(run.id, {}).items() if status in HOLDS_PLACE)
        waiting = counts.get(run.id, {}).get(EnrolmentStatus.WAITLISTED, 0)
        choices.append(RunChoice(run_details_of(c, run), max(0, run.capacity - taken), waiting))
    return choices


def open_runs_named(code: str, now: datetime, catalogue: Catalogue) -> list[tuple[CourseView, RunView]]:
    """The runs of ``catalogue`` a course or run code names that still take enrolments, soonest first (what
    :func:`open_runs` counts places for). Raises NotFound: no course or run has that code."""
    normalised = normalise_code(code)
    # As ``runs_for_code``: the course's runs, and a run by its own code.
    named = [(c, run) for c, run in catalogue.runs_by_id.values() if normalised in (c.code, run.code)]
    if not named:
        raise NotFound(f"no course or run with code {normalised}")
    return sorted(
        ((c, run) for c, run in named if run.sessions and run.sessions[0].starts_at > now),  # as ``is_open``
        key=lambda pair: (pair[1].sessions[0].starts_at, pair[1].code),  # soonest first
    )


def run_choices_of(open_: list[tuple[CourseView, RunView]], row: Any) -> list[RunChoice]:
    """The choices of the runs ``open_`` given a row with their places ``taken_N`` and people ``waiting_N`` (in the
    order of ``open_``: :func:`places_of_runs`)."""
    choices = []
    for at, (c, run) in enumerate(open_):
        taken, waiting = getattr(row, f"taken_{at}"), getattr(row, f"waiting_{at}")
        choices.append(RunChoice(run_details_of(c, run), max(0, run.capacity - int(taken)), int(waiting)))
    return choices


def places_of_runs(count: int) -> list[Any]:
    """Columns for a caller's one-row statement: the places ``taken_N`` and people ``waiting_N`` of ``count`` runs
    (their ids the parameters ``run_id_N``), as :func:`open_runs` counts them."""
    columns = []
    for at in range(count):
        run_id: BindParameter[int] = bindparam(f"run_id_{at}")
        columns.append(counted_on_run(HOLDS_PLACE, run_id).label(f"taken_{at}"))
        columns.append(counted_on_run(frozenset({EnrolmentStatus.WAITLISTED}), run_id).label(f"waiting_{at}"))
    return columns


async def view_of(session: AsyncSession, enrolment: Enrolment, run: CourseRun) -> EnrolmentView:
    return enrolment_view(enrolment, run_details(run), waitlist_position=await waitlist_position(session, enrolment))


async def quote(
    session: AsyncSession, aad_object_id: str, run_code: str, now: datetime, snapshot: CatalogueSnapshot
) -> Quote:
    """What enrolling on the run would mean for this person: price, places, and any place they hold already.

    The run's details (dates, prices, who may enrol) come from ``snapshot``, the catalogue kept in memory, checked
    against the catalogue version read in the same statement as what is read live: the person's organisation and
    its standing, their enrolment on the run and the places taken (``_APPLICANT``). Nothing is held: the enrolment
    itself checks everything again under the run's lock. A read-only turn, so plain rows, no ORM entity.

    Raises:
        NotFound (no such run, or a person we have not met), EnrolmentClosed, OrganisationNeeded, NotEligible.
    """
    normalised = normalise_code(run_code)

    async def read(catalogue: Catalogue) -> tuple[int, tuple[tuple[CourseView, RunView] | None, Row[Any] | None]]:
        found = catalogue.runs_by_code.get(normalised)
        parameters = {"aad_object_id": aad_object_id, "run_id": found[1].id if found else -1}
        row = (await (await session.connection()).execute(_APPLICANT, parameters)).first()
        return (int(row.catalogue_version or 0) if row else catalogue.version), (found, row)

    catalogue, (found, row) = await snapshot.checked(session, read)
    if row is None:  # someone we have not met: no version was read with them, so the run is looked up as of now
        found = (await snapshot.current(session)).runs_by_code.get(normalised)
    if found is None:
        raise NotFound(f"no run with code {normalised}")
    if row is None:
        raise NotFound("we have not met this person yet")
    course, run = found
    if not _open(run, now):
        raise EnrolmentClosed(f"{run.code} has started, so it no longer takes enrolments")
    existing_view = None
    if row.enrolment_id is not None and row.enrolment_status not in ENDED:
        views = await current_enrolments(session, aad_object_id, now, catalogue, run.code)
        existing_view = next((view for view in views if view.id == row.enrolment_id), None)
    places_left = max(0, run.capacity - int(row.taken))
    other_runs: tuple[RunChoice, ...] = ()
    if places_left == 0:
        applicant = _applicant_of(row)
        check_eligibility_of(run, applicant)  # a refusal before the other runs are counted
        other_runs = await _other_runs_with_places(session, course, run, applicant, now)
    return _quote_of(course, run, row, existing_view, places_left, other_runs)


def kept_quote_on(
    connection: Connection, aad_object_id: str, run_code: str, now: datetime, snapshot: CatalogueSnapshot
) -> Quote | None:
    """:func:`quote` from synchronous code (``in_read_on``), with the catalogue kept in memory, checked against the
    version read with what is read live: one statement. None when no copy is kept, it is not the database's
    version, the person is not met yet, the run is not in it, or the quote reads more (a place held already shows
    it; a full run names the others with places): then :func:`quote`. Raises its refusals."""
    catalogue = snapshot.kept
    found = catalogue.runs_by_code.get(normalise_code(run_code)) if catalogue is not None else None
    if catalogue is None or found is None:
        return None
    course, run = found
    rows = _APPLICANT_ON.execute(connection, {"aad_object_id": aad_object_id, "run_id": run.id}).rows
    if not rows or int(rows[0].catalogue_version or 0) != catalogue.version:
        return None
    row = rows[0]
    if row.enrolment_id is not None and row.enrolment_status not in ENDED:
        return None
    if not _open(run, now):
        raise EnrolmentClosed(f"{run.code} has started, so it no longer takes enrolments")
    places_left = max(0, run.capacity - int(row.taken))
    if places_left == 0:
        return None
    return _quote_of(course, run, row, None, places_left, ())


def _quote_of(
    course: CourseView,
    run: RunView,
    row: Any,
    existing: EnrolmentView | None,
    places_left: int,
    other_runs: tuple[RunChoice, ...],
) -> Quote:
    applicant = _applicant_of(row)
    organisation = check_eligibility_of(run, applicant)
    return Quote(
        run=run_details_of(course, run),
        organisation_name=organisation.name,
        price_band=organisation.price_band,
        price_pence=price_for(run, organisation),
        places_left=places_left,
        waitlist_length=int(row.waiting),
        existing=existing,
        other_runs=other_runs,
        organisation_confirmed=organisation_confirmed(applicant),
    )


def _applicant_of(row: Any) -> ApplicantFacts:
    employer = (
        EmployerFacts(row.organisation_id, row.organisation_name, row.price_band)
        if row.organisation_id is not None
        else None
    )
    return ApplicantFacts(employer, row.organisation_status)


def counted_on_run(statuses: frozenset[EnrolmentStatus], run_id: Any = None) -> Any:
    """How many of the run's enrolments (the parameter ``run_id``, else the one given) are in ``statuses``: a
    column of a caller's one-row statement. Each status a plain parameter, not a list expanded on every execution;
    an IN, not ORs, so PostgreSQL looks the statuses up in the (run_id, status) index as SQLite does, instead of
    reading every row the run has there and filtering them."""
    counted = Enrolment.__table__.alias()
    return (
        select(func.count(counted.c.id))
        .where(
            counted.c.run_id == (bindparam("run_id") if run_id is None else run_id),
            counted.c.status.in_([literal(status, counted.c.status.type) for status in sorted(statuses)]),
        )
        .scalar_subquery()
    )


def _open(run: RunView, now: datetime) -> bool:
    return bool(run.sessions) and run.sessions[0].starts_at > now  # as ``waitlist.is_open``


def _taken(counts: dict[int, dict[EnrolmentStatus, int]], run_id: int) -> int:
    return sum(n for status, n in counts.get(run_id, {}).items() if status in HOLDS_PLACE)


async def _other_runs_with_places(
    session: AsyncSession, course: CourseView, full: RunView, person: Applicant, now: datetime
) -> tuple[RunChoice, ...]:
    """The course's other runs still taking enrolments that have places and are open to the person, soonest
    first (as ``runs_for_code`` orders them)."""
    candidates = []
    for run in course.runs:
        if run.id == full.id or not _open(run, now):
            continue
        try:
            check_eligibility_of(run, person)
        except EnrolmentRefused:
            continue
        candidates.append(run)
    if not candidates:
        return ()
    counts = await enrolment_counts(session, [run.id for run in candidates])
    choices = []
    for run in sorted(candidates, key=lambda r: (r.sessions[0].starts_at, r.code)):
        taken = _taken(counts, run.id)
        if taken < run.capacity:
            waiting = counts.get(run.id, {}).get(EnrolmentStatus.WAITLISTED, 0)
            choices.append(RunChoice(run_details_of(course, run), run.capacity - taken, waiting))
    return tuple(choices)


# Built once: a person's enrolments on runs not ended, with what their views show (their name and organisation
# standing, the enrolment's organisation, who reviewed it), and one row per session they miss (none: one row with
# no session). Plain rows, not ORM objects: "my courses" is a common turn, and this is all it reads.
_ENROLMENTS, _PEOPLE = Enrolment.__table__.c, Person.__table__.c
_REVIEWER = Person.__table__.alias("reviewer")
_MISSED = EnrolmentClashSession.__table__
_MISSED_SESSION = RunSession.__table__
_CURRENT = (
    select(
        _ENROLMENTS.id,
        _ENROLMENTS.run_id,
        _ENROLMENTS.status,
        _ENROLMENTS.waitlisted_at,
        _ENROLMENTS.price_band,
        _ENROLMENTS.price_pence,
        _ENROLMENTS.offer_expires_at,
        _ENROLMENTS.clash_reason,
        _PEOPLE.name,
        _PEOPLE.organisation_status,
        Organisation.__table__.c.name.label("organisation_name"),
        _REVIEWER.c.name.label("reviewer_name"),
        _MISSED_SESSION.c.id.label("session_id"),
        _MISSED_SESSION.c.position,
        _MISSED_SESSION.c.starts_at,
        _MISSED_SESSION.c.ends_at,
    )
    .select_from(
        Enrolment.__table__.join(Person.__table__, _PEOPLE.id == _ENROLMENTS.person_id)
        .outerjoin(Organisation.__table__, Organisation.__table__.c.id == _ENROLMENTS.organisation_id)
        .outerjoin(_REVIEWER, _REVIEWER.c.id == _ENROLMENTS.reviewed_by_person_id)
        .outerjoin(_MISSED, _MISSED.c.enrolment_id == _ENROLMENTS.id)
        .outerjoin(_MISSED_SESSION, _MISSED_SESSION.c.id == _MISSED.c.session_id)
    )
    # Each ended status a plain parameter of the statement built once, not a list expanded on every execution.
    .where(
        _PEOPLE.aad_object_id == bindparam("aad_object_id"),
        and_(*(_ENROLMENTS.status != status for status in sorted(ENDED))),
    )
    .order_by(_ENROLMENTS.id, _MISSED_SESSION.c.position)
)


@cache
def _current_at_version(link_slots: int) -> Select[Any]:
    """``_CURRENT`` with the database's catalogue version in each row (``CatalogueSnapshot.checked``) and whether the
    calendar link shown lately for the place is still stored (``calendar_links.stored_link_of``, its hashes in
    ``link_slots`` parameters): "my courses" reads neither in a statement of its own. Built once per number of
    slots (powers of two: a few statements)."""
    return _CURRENT.add_columns(version_column(), stored_link_of(_ENROLMENTS.id, link_slots).label("stored_link"))


@cache
def _current_at_version_on(link_slots: int) -> DirectStatement:
    """:func:`_current_at_version` for synchronous code: on sqlite3 directly where it can, its rows named."""
    return DirectStatement(_current_at_version(link_slots), named=True)


def _current_at_version_read(
    aad_object_id: str, now: datetime, link_hashes: dict[str, int]
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of :func:`_current_at_version` for ``link_hashes`` and its parameters."""
    return _current_at_version(link_hash_slots(len(link_hashes))), _current_parameters(aad_object_id, now, link_hashes)


def _current_parameters(aad_object_id: str, now: datetime, link_hashes: dict[str, int]) -> dict[str, Any]:
    return {"aad_object_id": aad_object_id, "links_now": now, **link_hash_parameters(link_hashes)}


_ORGANISATIONS = Organisation.__table__.c


def applicant_on_run(*columns: Any) -> Select[Any]:
    """What deciding a place on a run reads live, in one statement: ``columns`` of the person (``aad_object_id``),
    their organisation and their enrolment on the run (``run_id``), then the run's places ``taken``, its people
    ``waiting`` and the catalogue's version (a quote here; a place taken or given up in ``common_places`` and
    ``withdrawals``, under the run's lock)."""
    return (
        select(
            *columns,
            counted_on_run(HOLDS_PLACE).label("taken"),
            counted_on_run(frozenset({EnrolmentStatus.WAITLISTED})).label("waiting"),
            version_column(),
        )
        .select_from(
            Person.__table__.outerjoin(Organisation.__table__, _ORGANISATIONS.id == _PEOPLE.organisation_id).outerjoin(
                Enrolment.__table__,
                and_(_ENROLMENTS.person_id == _PEOPLE.id, _ENROLMENTS.run_id == bindparam("run_id")),
            )
        )
        .where(_PEOPLE.aad_object_id == bindparam("aad_object_id"))
    )


# Built once: what a quote reads live: the person's organisation and its standing, their enrolment on the run (its
# id and status), with the places taken, people waiting and the catalogue's version.
_APPLICANT = applicant_on_run(
    _PEOPLE.organisation_status,
    _ORGANISATIONS.id.label("organisation_id"),
    _ORGANISATIONS.name.label("organisation_name"),
    _ORGANISATIONS.price_band,
    _ENROLMENTS.id.label("enrolment_id"),
    _ENROLMENTS.status.label("enrolment_status"),
)
_APPLICANT_ON = DirectStatement(_APPLICANT, named=True)


async def current_enrolments(
    session: AsyncSession, aad_object_id: str, now: datetime, catalogue: Catalogue, code: str | None = None
) -> list[EnrolmentView]:
    """The person's places, reviews, offers and waitlist entries on runs not yet finished (optionally for a
    course or run code), soonest first.

    A fixed number of queries however many places the person has (``my courses`` is a common turn): their
    enrolments with what their views show in one, the runs' details from ``catalogue`` (the catalogue kept in
    memory, as of this transaction), a count only for a waitlist entry."""
    statement = _CURRENT
    if code is not None:
        normalised = normalise_code(code)  # as ``runs_for_code``: a course's runs, or a run by its own code
        run_ids = [run.id for c, run in catalogue.runs_by_id.values() if normalised in (c.code, run.code)]
        if not run_ids:
            return []
        statement = statement.where(_ENROLMENTS.run_id.in_(run_ids))
    rows = (await (await session.connection()).execute(statement, {"aad_object_id": aad_object_id})).all()
    return await _views_of(session, rows, catalogue, now)


async def all_current_enrolments(
    session: AsyncSession,
    aad_object_id: str,
    now: datetime,
    snapshot: CatalogueSnapshot,
    link_hashes: dict[str, int] | None = None,
) -> tuple[list[EnrolmentView], set[int]]:
    """:func:`current_enrolments` for every code, checking ``snapshot`` (the catalogue kept in memory) against the
    catalogue version read in the same statement as the enrolments (``CatalogueSnapshot.checked``), instead of in
    a statement of its own. With no enrolment there is no version, and nothing taken from the catalogue either.

    ``link_hashes``: the hashes of calendar links shown lately (``RecentLinks.reusable_hashes``), each with its
    enrolment's id; also returned: the enrolments whose link among them is still stored and live."""
    hashes = link_hashes or {}
    statement, parameters = _current_at_version_read(aad_object_id, now, hashes)

    async def read(catalogue: Catalogue) -> tuple[int, list[Row[Any]]]:
        connection = await session.connection()
        rows = list((await connection.execute(statement, parameters)).all())
        return (int(rows[0].catalogue_version or 0) if rows else catalogue.version), rows

    catalogue, rows = await snapshot.checked(session, read)
    stored = {row.id for row in rows if row.stored_link is not None and hashes.get(row.stored_link) == row.id}
    return await _views_of(session, rows, catalogue, now), stored


def kept_current_enrolments_on(
    connection: Connection,
    aad_object_id: str,
    now: datetime,
    snapshot: CatalogueSnapshot,
    link_hashes: dict[str, int] | None = None,
) -> tuple[list[EnrolmentView], set[int]] | None:
    """:func:`all_current_enrolments` from synchronous code (``in_read_on``), with the catalogue kept in memory,
    checked against the version read with the places: one statement. None when no copy is kept or it is not the
    database's version, or a place is on a waitlist (its position is a count of its own): then
    :func:`all_current_enrolments`."""
    catalogue = snapshot.kept
    if catalogue is None:
        return None
    hashes = link_hashes or {}
    read = _current_at_version_on(link_hash_slots(len(hashes)))
    rows = read.execute(connection, _current_parameters(aad_object_id, now, hashes)).rows
    if not rows:
        return [], set()
    if int(rows[0].catalogue_version or 0) != catalogue.version:
        return None
    if any(row.status == EnrolmentStatus.WAITLISTED for row in rows):
        return None
    stored = {row.id for row in rows if row.stored_link is not None and hashes.get(row.stored_link) == row.id}
    return _views_at(rows, catalogue, now, {}), stored


async def _views_of(session: AsyncSession, rows: Any, catalogue: Catalogue, now: datetime) -> list[EnrolmentView]:
    """The views of rows of ``_CURRENT`` on runs not yet finished, soonest first."""
    positions = {
        row.id: await waitlist_position_of(session, row.run_id, row.id, row.status, row.waitlisted_at)
        for row in {row.id: row for row in rows}.values()
        if _not_finished(catalogue, row.run_id, now)
    }
    return _views_at(rows, catalogue, now, positions)


def _not_finished(catalogue: Catalogue, run_id: int, now: datetime) -> bool:
    _course, run = catalogue.runs_by_id[run_id]
    return bool(run.sessions) and run.sessions[-1].ends_at > now


def _views_at(rows: Any, catalogue: Catalogue, now: datetime, positions: dict[int, int | None]) -> list[EnrolmentView]:
    """:func:`_views_of` given the waitlist positions (by enrolment id; none: not waiting)."""
    missed: dict[int, list[SessionTime]] = {}
    for row in rows:
        sessions = missed.setdefault(row.id, [])
        if row.session_id is not None:
            sessions.append(SessionTime(row.session_id, row.position, row.starts_at, row.ends_at))
    views = []
    for row in {row.id: row for row in rows}.values():
        if _not_finished(catalogue, row.run_id, now):
            course, run = catalogue.runs_by_id[row.run_id]
            position = positions.get(row.id)
            views.append(_view(row, run_details_of(course, run), position, tuple(missed[row.id])))
    return sorted(views, key=lambda v: (v.run.first_start, v.run.run_code))


def _view(row: Any, run: RunDetails, position: int | None, missed: tuple[SessionTime, ...]) -> EnrolmentView:
    """``enrolment_view`` of a row of ``_CURRENT``."""
    return EnrolmentView(
        id=row.id,
        run=run,
        status=row.status,
        person_name=row.name,
        organisation_name=row.organisation_name,
        price_band=row.price_band,
        price_pence=row.price_pence,
        waitlist_position=position,
        offer_expires_at=row.offer_expires_at,
        clash_sessions=missed,
        clash_reason=row.clash_reason,
        reviewed_by=row.reviewer_name,
        organisation_confirmed=row.organisation_status != OrganisationStatus.PENDING,
    )


async def rosters(session: AsyncSession, actor_aad_object_id: str, code: str, now: datetime) -> list[Roster]:
    """Who is coming to each run a code names, for its trainers and coordinators only.

    A course code shows the course's runs not yet finished that the actor may see; a run code shows that run.

    Raises:
        NotFound: no such code. NotAllowed: the actor trains none of these runs and is not a coordinator.
    """
    runs = await runs_for_code(session, code)
    try:
        actor = await load_actor(session, actor_aad_object_id)
    except NotFound as error:
        raise NotAllowed("only a run's trainers and coordinators can see its roster") from error
    visible = [run for run in runs if may_oversee(run, actor)]
    if not visible:
        raise NotAllowed("only a run's trainers and coordinators can see its roster")
    by_run_code = len(runs) == 1 and runs[0].code == code.strip().upper()
    if not by_run_code:
        visible = [run for run in visible if not _finished(run, now)] or visible
    return [await _roster(session, run) for run in visible]


async def _roster(session: AsyncSession, run: CourseRun) -> Roster:
    entries = await enrolments_of_run(session, run.id, HOLDS_PLACE | {EnrolmentStatus.WAITLISTED})

    def entry(enrolment: Enrolment, position: int | None = None) -> RosterEntry:
        organisation = enrolment.organisation or enrolment.person.organisation
        return RosterEntry(
            name=enrolment.person.name or "(name not known yet)",
            organisation=organisation.name if organisation else None,
            status=enrolment.status,
            waitlist_position=position,
            missed_sessions=tuple(s.position for s in enrolment.clash_sessions),
            clash_reason=enrolment.clash_reason if enrolment.status == EnrolmentStatus.PENDING_REVIEW else None,
            offer_expires_at=enrolment.offer_expires_at,
        )

    def by_name(rows: list[RosterEntry]) -> tuple[RosterEntry, ...]:
        return tuple(sorted(rows, key=lambda r: r.name.lower()))

    waiting = [e for e in entries if e.status == EnrolmentStatus.WAITLISTED]  # already in queue order
    return Roster(
        run=run_details(run),
        confirmed=by_name([entry(e) for e in entries if e.status == EnrolmentStatus.CONFIRMED]),
        pending_review=by_name([entry(e) for e in entries if e.status == EnrolmentStatus.PENDING_REVIEW]),
        offered=by_name([entry(e) for e in entries if e.status == EnrolmentStatus.OFFERED]),
        waitlisted=tuple(entry(e, i) for i, e in enumerate(waiting, start=1)),
    )
