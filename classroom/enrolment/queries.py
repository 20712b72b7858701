"""Reading enrolments: the terms before enrolling, "my courses", and a run's roster."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.views import Catalogue
from classroom.enrolment.authorisation import may_oversee
from classroom.enrolment.eligibility import check_eligibility, organisation_confirmed, price_for
from classroom.enrolment.errors import EnrolmentClosed, EnrolmentRefused
from classroom.enrolment.loading import (
    ENROLMENT_OPTIONS,
    enrolments_of_run,
    find_enrolment,
    load_person,
    load_run,
    places_taken,
    runs_for_code,
    waitlist_length,
    waitlist_position,
)
from classroom.enrolment.views import (
    EnrolmentView,
    Quote,
    Roster,
    RosterEntry,
    RunChoice,
    enrolment_view,
    run_details,
    run_details_of,
)
from classroom.enrolment.waitlist import is_open
from classroom.errors import NotAllowed, NotFound
from storage.models import CourseRun, Enrolment, EnrolmentStatus, Person
from storage.models.enrolment import ENDED, HOLDS_PLACE


def _finished(run: CourseRun, now: datetime) -> bool:
    return not run.sessions or run.sessions[-1].ends_at <= now


async def open_runs(session: AsyncSession, code: str, now: datetime) -> list[RunChoice]:
    """The runs a course or run code names that still take enrolments, soonest first.

    Raises:
        NotFound: no course or run has that code.
    """
    choices = []
    for run in await runs_for_code(session, code):
        if is_open(run, now):
            taken = await places_taken(session, run.id)
            choices.append(
                RunChoice(run_details(run), max(0, run.capacity - taken), await waitlist_length(session, run.id))
            )
    return choices


async def view_of(session: AsyncSession, enrolment: Enrolment, run: CourseRun) -> EnrolmentView:
    return enrolment_view(enrolment, run_details(run), waitlist_position=await waitlist_position(session, enrolment))


async def quote(session: AsyncSession, aad_object_id: str, run_id: int, now: datetime) -> Quote:
    """What enrolling on the run would mean for this person: price, places, and any place they hold already.

    Raises:
        EnrolmentClosed, OrganisationNeeded, NotEligible.
    """
    run = await load_run(session, run_id)
    person = await load_person(session, aad_object_id)
    if not is_open(run, now):
        raise EnrolmentClosed(f"{run.code} has started, so it no longer takes enrolments")
    existing = await find_enrolment(session, run.id, person.id)
    existing_view = await view_of(session, existing, run) if existing and existing.status not in ENDED else None
    organisation = check_eligibility(run, person)
    places_left = max(0, run.capacity - await places_taken(session, run.id))
    return Quote(
        run=run_details(run),
        organisation_name=organisation.name,
        price_band=organisation.price_band,
        price_pence=price_for(run, organisation),
        places_left=places_left,
        waitlist_length=await waitlist_length(session, run.id),
        existing=existing_view,
        other_runs=await _other_runs_with_places(session, run, person, now) if places_left == 0 else (),
        organisation_confirmed=organisation_confirmed(person),
    )


async def _other_runs_with_places(
    session: AsyncSession, full: CourseRun, person: Person, now: datetime
) -> tuple[RunChoice, ...]:
    """The course's other runs still taking enrolments that have places and are open to the person."""
    choices = []
    for run in await runs_for_code(session, full.course.code):
        if run.id == full.id or not is_open(run, now):
            continue
        try:
            check_eligibility(run, person)
        except EnrolmentRefused:
            continue
        taken = await places_taken(session, run.id)
        if taken < run.capacity:
            choices.append(RunChoice(run_details(run), run.capacity - taken, await waitlist_length(session, run.id)))
    return tuple(choices)


async def current_enrolments(
    session: AsyncSession, aad_object_id: str, now: datetime, catalogue: Catalogue, code: str | None = None
) -> list[EnrolmentView]:
    """The person's places, reviews, offers and waitlist entries on runs not yet finished (optionally for a
    course or run code), soonest first.

    A fixed number of queries however many places the person has (``my courses`` is a common turn): their
    enrolments in one (with the sessions they miss), the runs' details from ``catalogue`` (the catalogue kept in
    memory, as of this transaction), a count only for a waitlist entry."""
    person_id = await session.scalar(select(Person.id).where(Person.aad_object_id == aad_object_id))
    if person_id is None:
        return []
    statement = select(Enrolment).where(Enrolment.person_id == person_id, Enrolment.status.not_in(list(ENDED)))
    if code is not None:
        try:
            run_ids = [run.id for run in await runs_for_code(session, code)]
        except NotFound:
            return []
        statement = statement.where(Enrolment.run_id.in_(run_ids))
    enrolments = list(
        await session.scalars(statement.options(*ENROLMENT_OPTIONS).execution_options(populate_existing=True))
    )
    if not enrolments:
        return []
    views = []
    for enrolment in enrolments:
        course, run = catalogue.runs_by_id[enrolment.run_id]
        if run.sessions and run.sessions[-1].ends_at > now:
            position = await waitlist_position(session, enrolment)
            views.append(enrolment_view(enrolment, run_details_of(course, run), waitlist_position=position))
    return sorted(views, key=lambda v: (v.run.first_start, v.run.run_code))


async def rosters(session: AsyncSession, actor_aad_object_id: str, code: str, now: datetime) -> list[Roster]:
    """Who is coming to each run a code names, for its trainers and coordinators only.

    A course code shows the course's runs not yet finished that the actor may see; a run code shows that run.

    Raises:
        NotFound: no such code. NotAllowed: the actor trains none of these runs and is not a coordinator.
    """
    runs = await runs_for_code(session, code)
    try:
        actor = await load_person(session, actor_aad_object_id)
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
