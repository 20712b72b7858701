"""Taking and reviewing places on a run (giving them up: ``withdrawals``). Each operation locks the run first,
then reads and counts.

Operations take the caller's session and never commit (see ``service.EnrolmentService`` for the transaction).
A repeated request finds the row the first one made (one row per person and run) and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.authorisation import may_oversee
from classroom.enrolment.eligibility import check_eligibility, price_for
from classroom.enrolment.errors import (
    AlreadyDecided,
    AlreadyEnrolled,
    CourseFull,
    EnrolmentClosed,
    NothingToDecide,
    OfferExpired,
    OfferNotOpen,
)
from classroom.enrolment.loading import (
    find_enrolment,
    load_actor,
    load_enrolment,
    load_person,
    load_run,
    waitlist_length,
    waitlist_position,
)
from classroom.enrolment.locking import lock_run
from classroom.enrolment.notices import (
    ClashDecisionNotice,
    OfferOutcome,
    ReviewOutcome,
    RunNotice,
    SessionNotice,
    clash_decision_key,
    clash_review_key,
    clash_review_notice,
    sessions_of,
)
from classroom.enrolment.offer_cards import settle_offer_cards
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.reminders import plan_reminders, remember_announced_times
from classroom.enrolment.review_cards import settle_review_cards
from classroom.enrolment.reviewers import clash_reviewers
from classroom.enrolment.session_moves import announce_run_sessions
from classroom.enrolment.waitlist import is_open, lapse_offer, offer_free_places, offer_places
from classroom.errors import InvalidInput, NotFound
from classroom.outbox import enqueue
from storage.models import CourseRun, Enrolment, EnrolmentStatus, Organisation, Person, RunSession
from storage.models.enrolment import ENDED

MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class Clash:
    """The participant cannot attend some sessions of a multi-session run (by position), and says why."""

    session_positions: tuple[int, ...]
    reason: str


async def enrol(
    session: AsyncSession,
    aad_object_id: str,
    run_id: int,
    *,
    clash: Clash | None,
    waitlist: bool,
    now: datetime,
    policy: EnrolmentPolicy,
) -> Enrolment:
    """Take a place on the run (confirmed, or pending trainer review with a clash), or join its waitlist.

    ``clash=None`` means the person confirmed they can attend every date. An offer from the waitlist is taken
    up the same way. With ``waitlist=True`` a full run puts the person on the waitlist instead of refusing.

    Refusals (``EnrolmentRefused``) are raised before the person's own enrolment changes; what was done before
    them (an offer to the next person waiting, a lapsed offer passed on) is valid and should be committed.

    Raises:
        EnrolmentClosed, OrganisationNeeded, NotEligible, AlreadyEnrolled, OfferExpired, InvalidInput (clash),
        CourseFull: no place, and ``waitlist`` was not asked for (its ``position`` says where they would be).
    """
    await lock_run(session, run_id)
    run = await load_run(session, run_id)
    person = await load_person(session, aad_object_id)
    if not is_open(run, now):
        raise EnrolmentClosed(f"{run.code} has started, so it no longer takes enrolments")
    await announce_run_sessions(session, run, now, policy)  # people holding places hear of moves first
    enrolment = await find_enrolment(session, run.id, person.id)
    if enrolment is not None and enrolment.status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW):
        raise AlreadyEnrolled(f"you already have a place on {run.code}", status=enrolment.status)
    if enrolment is not None and enrolment.status == EnrolmentStatus.WAITLISTED and waitlist:
        return enrolment  # a repeated request: already waiting
    organisation = check_eligibility(run, person)
    clash_sessions = _clash_sessions(run, clash)

    if enrolment is not None and enrolment.status == EnrolmentStatus.OFFERED:
        if enrolment.offer_expires_at is not None and enrolment.offer_expires_at <= now:
            await lapse_offer(session, enrolment, run, now)
            await offer_free_places(session, run, now, policy)
            raise OfferExpired(f"the place offered to you on {run.code} was held until a time now passed")
        return await _take_place(session, enrolment, run, organisation, clash, clash_sessions, now, policy)

    _offered, taken = await offer_places(session, run, now, policy)  # people already waiting come first
    if enrolment is not None and enrolment.status == EnrolmentStatus.OFFERED:  # they were first in line
        return await _take_place(session, enrolment, run, organisation, clash, clash_sessions, now, policy)
    if run.capacity - taken > 0:
        enrolment = await _claim_row(session, enrolment, run, person)
        return await _take_place(session, enrolment, run, organisation, clash, clash_sessions, now, policy)

    if enrolment is not None and enrolment.status == EnrolmentStatus.WAITLISTED:
        position = await waitlist_position(session, enrolment) or 1
        raise CourseFull(f"{run.code} is full", position=position, already_waitlisted=True)
    if not waitlist:
        raise CourseFull(f"{run.code} is full", position=await waitlist_length(session, run.id) + 1)
    enrolment = await _claim_row(session, enrolment, run, person)
    enrolment.status = EnrolmentStatus.WAITLISTED
    enrolment.waitlisted_at = now
    _record_terms(enrolment, run, organisation)
    await session.flush()
    await offer_free_places(session, run, now, policy)  # a place may have come free meanwhile
    return enrolment


async def accept_offer(
    session: AsyncSession, aad_object_id: str, run_id: int, *, now: datetime, policy: EnrolmentPolicy
) -> Enrolment:
    """Take the place offered from the waitlist, attending every date (a clash goes through ``enrol``).

    Raises:
        OfferNotOpen: no place is held for the person now (an offer card pressed after it was settled).
        OfferExpired, EnrolmentClosed, NotEligible: as ``enrol``.
    """
    await lock_run(session, run_id)
    person = await load_person(session, aad_object_id)
    enrolment = await find_enrolment(session, run_id, person.id)
    if enrolment is None or enrolment.status != EnrolmentStatus.OFFERED:
        raise OfferNotOpen("no place is held for you on this run now")
    return await enrol(session, aad_object_id, run_id, clash=None, waitlist=False, now=now, policy=policy)


async def decide_clash(
    session: AsyncSession,
    actor_aad_object_id: str,
    enrolment_id: int,
    *,
    accept: bool,
    now: datetime,
    policy: EnrolmentPolicy,
    round_: int | None = None,
) -> Enrolment:
    """A trainer of the run (or a coordinator) accepts or declines a participant's clash.

    Accepted: the place is confirmed (no reminders for the missed sessions). Declined: the place goes to the
    waitlist. Either way the participant is told, and every reviewer's copy of the review card shows the decision.
    ``round_`` (from a review card): the request it was about; a later request of the same person is not it.

    Raises:
        NothingToDecide: no such enrolment, or the actor is not a trainer of its run nor a coordinator (alike).
        AlreadyDecided: decided before (by anyone), or withdrawn by the participant.
    """
    run_id = await session.scalar(select(Enrolment.run_id).where(Enrolment.id == enrolment_id))
    if run_id is None:
        raise NothingToDecide()
    await lock_run(session, run_id)
    run = await load_run(session, run_id)
    try:
        actor = await load_actor(session, actor_aad_object_id)
    except NotFound as error:
        raise NothingToDecide() from error
    if not may_oversee(run, actor):
        raise NothingToDecide()
    enrolment = await load_enrolment(session, enrolment_id)
    if enrolment.status != EnrolmentStatus.PENDING_REVIEW or round_ not in (None, enrolment.round):
        raise AlreadyDecided(
            f"this request is no longer waiting for a decision ({enrolment.status.value})",
            status=enrolment.status,
            decided_by=enrolment.reviewed_by.name if enrolment.reviewed_by else None,
            decided_at=enrolment.reviewed_at,
        )
    enrolment.reviewed_by_person_id = actor.id
    enrolment.reviewed_at = now
    outcome = ReviewOutcome(decision="accepted" if accept else "declined", by=actor.name or None, at=now)
    await settle_review_cards(session, enrolment, run, outcome, now)
    if accept:
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.confirmed_at = now
        await session.flush()
        await plan_reminders(session, enrolment, run, enrolment.person.aad_object_id, now, policy)
    else:
        enrolment.status = EnrolmentStatus.DECLINED
        enrolment.ended_at = now
        await session.flush()
        await offer_free_places(session, run, now, policy)
    notice = ClashDecisionNotice(
        run=RunNotice.of(run),
        accepted=accept,
        clash_sessions=[SessionNotice.of(s, len(run.sessions)) for s in enrolment.clash_sessions],
        sessions=sessions_of(run),
    )
    await enqueue(
        session,
        notice,
        due_at=now,
        dedupe_key=clash_decision_key(enrolment.id, enrolment.round),
        recipient=enrolment.person.aad_object_id,
    )
    return enrolment


def _clash_sessions(run: CourseRun, clash: Clash | None) -> list[RunSession]:
    """The run's sessions a clash names, in order; none without a clash."""
    if clash is None:
        return []
    if len(run.sessions) < 2:
        raise InvalidInput("a clash only applies to a course with several sessions")
    reason = clash.reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"say why in 1 to {MAX_REASON_LENGTH} characters")
    wanted = set(clash.session_positions)
    found = [s for s in run.sessions if s.position in wanted]
    if not wanted or len(found) != len(wanted):
        raise InvalidInput(f"{run.code} has sessions 1 to {len(run.sessions)}")
    if len(found) == len(run.sessions):
        raise InvalidInput(f"missing every session of {run.code} is not taking the course; other dates may suit you")
    return found


async def _claim_row(session: AsyncSession, enrolment: Enrolment | None, run: CourseRun, person: Person) -> Enrolment:
    """The person's row for this run: new, or an ended one reopened as a new round."""
    if enrolment is None:
        enrolment = Enrolment(
            run_id=run.id, person=person, status=EnrolmentStatus.WAITLISTED, round=1, clash_sessions=[]
        )
        session.add(enrolment)
        await session.flush()
        return enrolment
    if enrolment.status in ENDED:
        enrolment.round += 1
        enrolment.waitlisted_at = enrolment.offer_expires_at = None
        enrolment.clash_sessions = []
        enrolment.clash_reason = None
        enrolment.reviewed_by_person_id = enrolment.reviewed_at = None
        enrolment.confirmed_at = enrolment.ended_at = None
    return enrolment


def _record_terms(enrolment: Enrolment, run: CourseRun, organisation: Organisation) -> None:
    # The organisation and price the person saw and agreed to (the relationship set, not only its key: what is in
    # memory stays what is stored, for the view built from it).
    enrolment.organisation = organisation
    enrolment.price_band = organisation.price_band
    enrolment.price_pence = price_for(run, organisation)


async def _take_place(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    organisation: Organisation,
    clash: Clash | None,
    clash_sessions: list[RunSession],
    now: datetime,
    policy: EnrolmentPolicy,
) -> Enrolment:
    _record_terms(enrolment, run, organisation)
    enrolment.offer_expires_at = None
    enrolment.clash_sessions = list(clash_sessions)
    was_offered = enrolment.status == EnrolmentStatus.OFFERED
    recipient = (await session.get_one(Person, enrolment.person_id)).aad_object_id
    if clash is None or not clash_sessions:
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.confirmed_at = now
        await session.flush()
        await plan_reminders(session, enrolment, run, recipient, now, policy)
    else:
        enrolment.status = EnrolmentStatus.PENDING_REVIEW
        enrolment.clash_reason = clash.reason.strip()
        await session.flush()
        await remember_announced_times(session, run, now)
        await _ask_reviewers(session, enrolment, run, organisation, now)
    if was_offered:  # the offer card shows the place taken, its buttons gone
        taken: OfferOutcome = "accepted" if enrolment.status == EnrolmentStatus.CONFIRMED else "under_review"
        await settle_offer_cards(session, enrolment, run, organisation, taken, now)
    return enrolment


async def _ask_reviewers(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    organisation: Organisation,
    now: datetime,
) -> None:
    """Send the clash to the run's trainers (those linked to a Teams account), else to the coordinators."""
    reviewers = await clash_reviewers(session, run)
    participant = await session.get_one(Person, enrolment.person_id)
    notice = clash_review_notice(enrolment, run, participant_name=participant.name, organisation_name=organisation.name)
    for reviewer in reviewers:
        await enqueue(
            session,
            notice,
            due_at=now,
            dedupe_key=clash_review_key(enrolment.id, enrolment.round, reviewer.id),
            recipient=reviewer.aad_object_id,
        )
