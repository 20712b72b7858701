"""What enrolment puts in the outbox: one kind and one payload model per message.

The payload is all the renderer gets (it has no database), so each carries what its card shows; times are
UTC and the renderer shows them in the configured timezone, which keeps daylight-saving changes right.

Two cards ask for a decision and change once it is made: the trainers' clash review (one copy per reviewer) and
a waitlist offer. When the decision is made, every copy already sent is replaced by the card in its decided
state (``outcome`` set; ``classroom.outbox.replace_copies``) and copies not yet sent are cancelled, so no copy
keeps buttons that no longer apply.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar, Literal

from classroom.catalogue.views import CourseView, PlannedRun, PlannedSession, RunView
from classroom.outbox import Notice, NoticePart
from storage.models import CourseRun, Enrolment, RunSession

REMINDER = "enrolment.reminder"
TRAINER_REMINDER = "enrolment.trainer_reminder"
CLASH_REVIEW = "enrolment.clash_review"
CLASH_DECISION = "enrolment.clash_decision"
WAITLIST_OFFER = "enrolment.waitlist_offer"
OFFER_LAPSED = "enrolment.offer_lapsed"
SESSION_MOVED = "enrolment.session_moved"
TRAINER_SESSION_MOVED = "enrolment.trainer_session_moved"
WITHDRAWN = "enrolment.withdrawn"
ORGANISATION_CHECK = "enrolment.organisation_check"
ORGANISATION_DECIDED = "enrolment.organisation_decided"

# What a person holds on a run; a moved session means something different for each.
Place = Literal["confirmed", "pending_review", "offered"]
# A clash with a session that moved: it was with the old time, so it no longer applies to that session. "accepted":
# the trainers had let them miss it, so they are now expected at the new time; "pending_review": the trainers had
# not decided yet. The clash's other sessions stay as they were (``still_missing``); when none is left, a place
# under review is confirmed (the only reason for the review has gone).
ClearedClash = Literal["accepted", "pending_review"]


class RunNotice(NoticePart):
    course_code: str
    course_title: str
    run_code: str
    join_url: str | None = None
    prerequisites: str = ""
    outline_url: str | None = None

    @classmethod
    def of(cls, run: PlannedRun) -> RunNotice:
        return cls(
            course_code=run.course.code,
            course_title=run.course.title,
            run_code=run.code,
            join_url=run.join_url,
            prerequisites=run.course.prerequisites,
            outline_url=run.course.outline_url,
        )

    @classmethod
    def of_view(cls, course: CourseView, run: RunView) -> RunNotice:
        """:meth:`of` a run of the catalogue kept in memory."""
        return cls(
            course_code=course.code,
            course_title=course.title,
            run_code=run.code,
            join_url=run.join_url,
            prerequisites=course.prerequisites,
            outline_url=course.outline_url,
        )


class SessionNotice(NoticePart):
    position: int
    count: int  # sessions in the run, for "session 2 of 4"
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, session: PlannedSession, count: int) -> SessionNotice:
        return cls(position=session.position, count=count, starts_at=session.starts_at, ends_at=session.ends_at)


class ReminderNotice(Notice):
    KIND: ClassVar[str] = REMINDER
    run: RunNotice
    session: SessionNotice
    offset_seconds: int


class TrainerReminderNotice(Notice):
    KIND: ClassVar[str] = TRAINER_REMINDER
    run: RunNotice
    session: SessionNotice
    confirmed: int
    pending_review: int
    capacity: int
    missing: int = 0  # of the confirmed, those the trainers let miss this session


class ReviewOutcome(NoticePart):
    """What became of a clash review: accepted or declined (by whom), withdrawn by the participant, or cleared
    because the last of its sessions moved away from the clash before anyone decided."""

    decision: Literal["accepted", "declined", "withdrawn", "cleared"]
    by: str | None = None  # the trainer or coordinator who decided
    at: datetime


class SessionMovePart(NoticePart):
    """A session of a clash that moved, which took it out of the clash: where it was, and where it is now."""

    old: SessionNotice
    new: SessionNotice


class ClashReviewNotice(Notice):
    KIND: ClassVar[str] = CLASH_REVIEW
    enrolment_id: int
    round: int = 1  # the enrolment's round: a decision names it, so an old card never decides a newer request
    run: RunNotice
    # The sessions they cannot attend, in order: those the review is (or was, once settled) about. A moved session
    # leaves the list; a clash cleared by moves ("cleared") names none.
    clash_sessions: list[SessionNotice]
    participant_name: str
    organisation_name: str | None
    reason: str
    outcome: ReviewOutcome | None = None  # None: waiting for a decision
    moved: SessionMovePart | None = None  # the latest move of one of its sessions, which left the clash


class ClashDecisionNotice(Notice):
    KIND: ClassVar[str] = CLASH_DECISION
    run: RunNotice
    accepted: bool
    clash_sessions: list[SessionNotice]  # empty: the sessions were removed from the run meanwhile
    sessions: list[SessionNotice]
    cleared: bool = False  # confirmed by nobody's decision: every session of the clash was taken off the run


# What became of an offer: taken (a place, or a place under review for a clash), turned down, not taken up in
# time, or ended some other way (the person left and joined the waitlist again, say).
OfferOutcome = Literal["accepted", "under_review", "declined", "lapsed", "closed"]


class WaitlistOfferNotice(Notice):
    KIND: ClassVar[str] = WAITLIST_OFFER
    run: RunNotice
    sessions: list[SessionNotice]
    expires_at: datetime | None
    price_pence: int | None
    outcome: OfferOutcome | None = None  # None: the place is still held for them


class OfferLapsedNotice(Notice):
    KIND: ClassVar[str] = OFFER_LAPSED
    run: RunNotice


class SessionMovedNotice(Notice):
    """To each person holding a place: what the move means for them (reminders move only for a confirmed place)."""

    KIND: ClassVar[str] = SESSION_MOVED
    run: RunNotice
    old: SessionNotice
    new: SessionNotice
    place: Place = "confirmed"  # what they hold now (after a fully cleared clash under review: confirmed)
    cleared_clash: ClearedClash | None = None  # their clash included this session's old time
    # After a cleared clash: the clash's other sessions, which they still miss (accepted) or ask to miss (review).
    still_missing: list[SessionNotice] = []
    still_clashes: bool = False  # in their clash, and moved within its day: it still clashes


class ClashClearedPart(NoticePart):
    participant_name: str
    was: ClearedClash
    still_missing: list[SessionNotice] = []  # the clash's other sessions, still missed or still under review


class TrainerSessionMovedNotice(Notice):
    """To the run's trainers (or, with clashes to report and no trainer linked, the coordinators)."""

    KIND: ClassVar[str] = TRAINER_SESSION_MOVED
    run: RunNotice
    old: SessionNotice
    new: SessionNotice
    participants_told: int
    cleared_clashes: list[ClashClearedPart] = []
    to_coordinators: bool = False  # no trainer is linked: sent to the coordinators, who review the run's clashes


class WithdrawnNotice(Notice):
    """For the run's trainers and the coordinators: someone gave up their place (or their place under review)."""

    KIND: ClassVar[str] = WITHDRAWN
    run: RunNotice
    sessions: list[SessionNotice]
    participant_name: str
    organisation_name: str | None
    had_status: str  # "confirmed" or "pending_review"
    reason: str | None  # optional, in their words
    withdrawn_at: datetime
    offered_to_waitlist: bool  # the freed place went to the next person waiting
    places_left: int
    capacity: int


class OrganisationOption(NoticePart):
    id: int
    name: str


class OrganisationOutcome(NoticePart):
    """What settled a person's organisation: a coordinator confirmed or corrected their choice, or evidence (their
    Teams tenant or email domain, listed in the catalogue) named it before anyone did."""

    decision: Literal["confirmed", "corrected", "evidence"]
    organisation: str
    by: str | None = None  # the coordinator
    at: datetime


class OrganisationCheckNotice(Notice):
    """For the coordinators: someone says they work for ``chosen`` and nothing shows it; confirm or correct it."""

    KIND: ClassVar[str] = ORGANISATION_CHECK
    person_id: int
    person_name: str
    email: str | None
    chosen: str
    options: list[OrganisationOption]  # every organisation, for a correction
    outcome: OrganisationOutcome | None = None  # None: waiting for a coordinator


class OrganisationDecidedNotice(Notice):
    """For the person: the training team confirmed (or corrected) their organisation."""

    KIND: ClassVar[str] = ORGANISATION_DECIDED
    organisation: str
    chosen: str
    corrected: bool
    price_band: int


def sessions_of(run: CourseRun | RunView) -> list[SessionNotice]:
    return [SessionNotice.of(s, len(run.sessions)) for s in run.sessions]


def clash_review_notice(
    enrolment: Enrolment,
    run: CourseRun,
    *,
    participant_name: str | None,
    organisation_name: str | None,
    outcome: ReviewOutcome | None = None,
    moved: SessionMovePart | None = None,
) -> ClashReviewNotice:
    """The reviewers' card for an enrolment's clash as it stands (needs its clash sessions loaded): waiting, or
    settled with ``outcome``; ``moved``: the move of one of its sessions that this card is sent for."""
    return ClashReviewNotice(
        enrolment_id=enrolment.id,
        round=enrolment.round,
        run=RunNotice.of(run),
        clash_sessions=[SessionNotice.of(s, len(run.sessions)) for s in enrolment.clash_sessions],
        participant_name=participant_name or "A participant",
        organisation_name=organisation_name,
        reason=enrolment.clash_reason or "",
        outcome=outcome,
        moved=moved,
    )


# Dedupe keys: each names one message for good, so replays and retries never send it twice.


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def reminder_prefix(enrolment_id: int, session_id: int | None = None) -> str:
    return f"enrolment-reminder:{enrolment_id}:" + (f"{session_id}:" if session_id is not None else "")


def reminder_key(enrolment_id: int, session: PlannedSession, offset_seconds: int) -> str:
    # The session's time is part of the key: after a move the new reminders are new messages, while a
    # reminder already sent for the same time is never sent again.
    return f"{reminder_prefix(enrolment_id, session.id)}{offset_seconds}:{_stamp(session.starts_at)}"


def clash_review_prefix(enrolment_id: int, round_: int) -> str:
    return f"clash-review:{enrolment_id}:{round_}:"


def clash_review_key(enrolment_id: int, round_: int, reviewer_person_id: int) -> str:
    return f"{clash_review_prefix(enrolment_id, round_)}{reviewer_person_id}"


def clash_decision_key(enrolment_id: int, round_: int) -> str:
    return f"clash-decision:{enrolment_id}:{round_}"


def withdrawn_key(enrolment_id: int, round_: int) -> str:
    return f"enrolment-withdrawn:{enrolment_id}:{round_}"


def offer_key(enrolment_id: int, round_: int) -> str:
    return f"waitlist-offer:{enrolment_id}:{round_}"


def offer_lapsed_key(enrolment_id: int, round_: int) -> str:
    return f"waitlist-offer-lapsed:{enrolment_id}:{round_}"


def session_moved_key(session_id: int, old_start: datetime, new_start: datetime, enrolment_id: int) -> str:
    return f"session-moved:{session_id}:{_stamp(old_start)}>{_stamp(new_start)}:{enrolment_id}"


def trainer_session_moved_key(session_id: int, old_start: datetime, new_start: datetime, person_id: int) -> str:
    return f"trainer-session-moved:{session_id}:{_stamp(old_start)}>{_stamp(new_start)}:{person_id}"


def organisation_check_key(person_id: int) -> str:
    """The coordinators' card about a person's organisation (one per person: once settled it is never asked again);
    each copy's key adds its target."""
    return f"organisation-check:{person_id}"


def organisation_check_prefix(person_id: int) -> str:
    return f"{organisation_check_key(person_id)}:"


def organisation_decided_key(person_id: int) -> str:
    return f"organisation-decided:{person_id}"


def trainer_reminder_key(session: RunSession, trainer_person_id: int) -> str:
    return f"trainer-reminder:{session.id}:{trainer_person_id}:{_stamp(session.starts_at)}"
