"""What enrolment operations hand back: plain frozen data, safe to use after the transaction has ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from classroom.catalogue.views import CourseView, RunView
from storage.models import CourseRun, Enrolment, EnrolmentStatus, Organisation, OrganisationStatus, Person, RunSession


@dataclass(frozen=True)
class SessionTime:
    id: int
    position: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class RunDetails:
    """A run with what a participant needs to know about it."""

    run_code: str
    course_code: str
    course_title: str
    capacity: int
    join_url: str | None
    prerequisites: str
    outline_url: str | None
    eligible_audience: str
    eligible_organisations: tuple[str, ...]
    trainer_names: tuple[str, ...]
    sessions: tuple[SessionTime, ...]

    @property
    def session_count(self) -> int:
        return len(self.sessions)

    @property
    def first_start(self) -> datetime:
        return self.sessions[0].starts_at


@dataclass(frozen=True)
class EnrolmentView:
    """One person's enrolment as they (or a trainer) see it."""

    id: int
    run: RunDetails
    status: EnrolmentStatus
    person_name: str
    organisation_name: str | None
    price_band: int | None
    price_pence: int | None
    waitlist_position: int | None = None
    offer_expires_at: datetime | None = None
    clash_sessions: tuple[SessionTime, ...] = ()  # sessions they cannot attend (asked for, or accepted)
    clash_reason: str | None = None
    reviewed_by: str | None = None
    # False while their organisation (so the price band) waits for a coordinator: the price is to be confirmed.
    organisation_confirmed: bool = True
    # A fresh "Add to calendar" link, issued with a place just confirmed (in the same transaction).
    calendar_link: CalendarLinkIssued | None = None

    @property
    def missed_positions(self) -> frozenset[int]:
        return frozenset(s.position for s in self.clash_sessions)


@dataclass(frozen=True)
class RunChoice:
    """A run someone can enrol on, as a choice between dates."""

    run: RunDetails
    places_left: int
    waitlist_length: int


@dataclass(frozen=True)
class Quote:
    """What enrolling would mean for this person, shown before they confirm."""

    run: RunDetails
    organisation_name: str
    price_band: int
    price_pence: int | None  # None: the run has no price for this band (the training team confirms it)
    places_left: int
    waitlist_length: int
    existing: EnrolmentView | None
    # Other open runs of the same course with places the person may take, soonest first.
    other_runs: tuple[RunChoice, ...] = ()
    # False while their organisation waits for a coordinator: the price shown is to be confirmed.
    organisation_confirmed: bool = True

    @property
    def full(self) -> bool:
        return self.places_left <= 0


@dataclass(frozen=True)
class RosterEntry:
    name: str
    organisation: str | None
    status: EnrolmentStatus
    waitlist_position: int | None = None
    missed_sessions: tuple[int, ...] = ()  # positions: accepted (confirmed) or asked for (under review)
    clash_reason: str | None = None
    offer_expires_at: datetime | None = None


@dataclass(frozen=True)
class Roster:
    run: RunDetails
    confirmed: tuple[RosterEntry, ...]
    pending_review: tuple[RosterEntry, ...]
    offered: tuple[RosterEntry, ...]
    waitlisted: tuple[RosterEntry, ...]

    @property
    def places_taken(self) -> int:
        return len(self.confirmed) + len(self.pending_review) + len(self.offered)

    def missing(self, position: int) -> tuple[RosterEntry, ...]:
        """Who holds a place but will not be at session ``position``: accepted clashes, then those under review."""
        return tuple(e for e in (*self.confirmed, *self.pending_review) if position in e.missed_sessions)


@dataclass(frozen=True)
class SessionMovePreview:
    """What moving a session would do, shown to the coordinator before anyone is told.

    Attributes:
        participants: people holding a place (confirmed, under review, offered), each of whom will be told.
        trainers_told: the trainers who will be told (linked to a Teams account).
        trainers_unreachable: trainers known only by name, who cannot be messaged.
        coordinators_told: no trainer is linked and a clash will be cleared, so the coordinators (who review the
            run's clashes) are told instead.
        clashes_cleared: participants whose clash names this session's old time; it will no longer apply to it.
    """

    run: RunDetails
    old: SessionTime
    new: SessionTime
    participants: int
    trainers_told: tuple[str, ...]
    trainers_unreachable: tuple[str, ...]
    coordinators_told: bool
    clashes_cleared: int


@dataclass(frozen=True)
class SessionMove:
    """A session moved (or found already moved, ``already_done``: a confirmation pressed twice or redelivered)."""

    run: RunDetails
    position: int
    old: SessionTime
    new: SessionTime
    participants_told: int
    trainers_told: tuple[str, ...] = ()
    coordinators_told: bool = False
    clashes_cleared: int = 0
    already_done: bool = False


@dataclass(frozen=True)
class CalendarLinkIssued:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class MyCourses:
    """What ``my courses`` shows: the person's current enrolments, and calendar links by enrolment id."""

    enrolments: list[EnrolmentView]
    calendar_links: dict[int, CalendarLinkIssued]


@dataclass(frozen=True)
class Withdrawal:
    """What giving something up did: what it was, and a link whose calendar cancels the events of a place."""

    run_code: str
    previous: EnrolmentStatus
    calendar_link: CalendarLinkIssued | None = None  # only for a place that had a calendar


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    content: bytes


def session_time(row: RunSession) -> SessionTime:
    return SessionTime(row.id, row.position, row.starts_at, row.ends_at)


def run_details(run: CourseRun) -> RunDetails:
    """Needs the run's course, sessions, trainers and eligible organisations loaded."""
    return RunDetails(
        run_code=run.code,
        course_code=run.course.code,
        course_title=run.course.title,
        capacity=run.capacity,
        join_url=run.join_url,
        prerequisites=run.course.prerequisites,
        outline_url=run.course.outline_url,
        eligible_audience=run.eligible_audience,
        eligible_organisations=tuple(sorted(e.organisation.name for e in run.eligible_organisations)),
        trainer_names=tuple(t.name for t in run.trainers),
        sessions=tuple(session_time(s) for s in run.sessions),
    )


# Details of the catalogue's runs as made by ``run_details_of``: a copy of the catalogue never changes once built
# (a new version brings new objects), so each run's are made once per copy, not on every "my courses" or quote
# (~4 us a run). Keyed by identity, each entry holding its course and run, so neither id can be reused while kept;
# at most RUN_DETAILS_KEPT (the runs of a catalogue or two), then started afresh.
RUN_DETAILS_KEPT = 512
_kept_details: dict[tuple[int, int], tuple[CourseView, RunView, RunDetails]] = {}


def run_details_of(course: CourseView, run: RunView) -> RunDetails:
    """The same as ``run_details``, from the catalogue kept in memory (no query)."""
    key = (id(course), id(run))
    kept = _kept_details.get(key)
    if kept is not None and kept[0] is course and kept[1] is run:
        return kept[2]
    if len(_kept_details) >= RUN_DETAILS_KEPT:
        _kept_details.clear()
    details = _details_of(course, run)
    _kept_details[key] = (course, run, details)
    return details


def _details_of(course: CourseView, run: RunView) -> RunDetails:
    return RunDetails(
        run_code=run.code,
        course_code=course.code,
        course_title=course.title,
        capacity=run.capacity,
        join_url=run.join_url,
        prerequisites=course.prerequisites,
        outline_url=course.outline_url,
        eligible_audience=run.eligible_audience,
        eligible_organisations=tuple(sorted(run.eligible_organisations)),
        trainer_names=run.trainer_names,
        sessions=tuple(SessionTime(s.id, s.position, s.starts_at, s.ends_at) for s in run.sessions),
    )


def enrolment_view(enrolment: Enrolment, run: RunDetails, *, waitlist_position: int | None = None) -> EnrolmentView:
    """Needs the enrolment's person, organisation, clash sessions and reviewer loaded."""
    return enrolment_view_with(
        enrolment, run, enrolment.person, enrolment.organisation, enrolment.reviewed_by, waitlist_position
    )


def enrolment_view_with(
    enrolment: Enrolment,
    run: RunDetails,
    person: Person,
    organisation: Organisation | None,
    reviewer: Person | None,
    waitlist_position: int | None,
) -> EnrolmentView:
    """:func:`enrolment_view` with the enrolment's person, organisation and reviewer given (an enrolment changed in
    memory: a foreign key set does not change the relationship already loaded); needs its clash sessions."""
    return EnrolmentView(
        id=enrolment.id,
        run=run,
        status=enrolment.status,
        person_name=person.name,
        organisation_name=organisation.name if organisation else None,
        price_band=enrolment.price_band,
        price_pence=enrolment.price_pence,
        waitlist_position=waitlist_position,
        offer_expires_at=enrolment.offer_expires_at,
        clash_sessions=tuple(session_time(s) for s in enrolment.clash_sessions),
        clash_reason=enrolment.clash_reason,
        reviewed_by=reviewer.name if reviewer else None,
        organisation_confirmed=person.organisation_status != OrganisationStatus.PENDING,
    )
