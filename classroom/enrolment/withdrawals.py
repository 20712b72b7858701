"""Giving up a place, a place under review, an offer or a waitlist entry, and telling the run's trainers and the
coordinators when a place is given up.

Like ``enrolments``, it takes the caller's session, locks the run first, and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.coordinators import notify_coordinators
from classroom.enrolment.enrolments import MAX_REASON_LENGTH
from classroom.enrolment.errors import EnrolmentClosed, NoEnrolment
from classroom.enrolment.loading import find_enrolment, load_person, load_run, places_taken
from classroom.enrolment.locking import lock_run
from classroom.enrolment.notices import ReviewOutcome, RunNotice, WithdrawnNotice, sessions_of, withdrawn_key
from classroom.enrolment.offer_cards import settle_offer_cards
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.reminders import cancel_reminders
from classroom.enrolment.review_cards import settle_review_cards
from classroom.enrolment.reviewers import linked_trainers
from classroom.enrolment.waitlist import offer_places
from classroom.errors import InvalidInput
from classroom.outbox import Notice, enqueue
from storage.models import CourseRun, EnrolmentStatus
from storage.models.enrolment import ENDED, HOLDS_PLACE


@dataclass(frozen=True)
class Withdrawn:
    """What was given up: the status it had, the enrolment's id and the run's code (so the caller need not read
    them again)."""

    previous: EnrolmentStatus
    enrolment_id: int
    run_code: str


async def withdraw(
    session: AsyncSession,
    aad_object_id: str,
    run_id: int,
    *,
    now: datetime,
    policy: EnrolmentPolicy,
    only: frozenset[EnrolmentStatus] | None = None,
    reason: str | None = None,
) -> Withdrawn:
    """Give up a place, a place under review, an offer or a waitlist entry; returns the status it had (with the
    enrolment's id and the run's code).

    A freed place is offered to the next person waiting, and the person's pending reminders are cancelled.
    Giving up a place (or a place under review) tells the run's trainers and the coordinators, with the
    person's ``reason`` when they gave one. A clash review or an offer card still waiting shows that it was
    withdrawn or turned down, on every copy.

    Raises:
        NoEnrolment: nothing to give up (``only`` narrows what counts, e.g. to an offer).
        EnrolmentClosed: the run has finished.
        InvalidInput: a reason longer than ``MAX_REASON_LENGTH``.
    """
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"say why in at most {MAX_REASON_LENGTH} characters, or leave it out")
    await lock_run(session, run_id)
    run = await load_run(session, run_id)
    person = await load_person(session, aad_object_id)
    enrolment = await find_enrolment(session, run.id, person.id)
    if enrolment is None or enrolment.status in ENDED or (only is not None and enrolment.status not in only):
        raise NoEnrolment(f"you have nothing to cancel on {run.code}")
    if run.sessions and run.sessions[-1].ends_at <= now:
        raise EnrolmentClosed(f"{run.code} has finished")
    previous = enrolment.status
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.ended_at = now
    enrolment.offer_expires_at = None
    await cancel_reminders(session, enrolment.id)
    if previous == EnrolmentStatus.PENDING_REVIEW:
        await settle_review_cards(session, enrolment, run, ReviewOutcome(decision="withdrawn", at=now), now)
    elif previous == EnrolmentStatus.OFFERED:
        await settle_offer_cards(session, enrolment, run, person.organisation, "declined", now)
    await session.flush()
    offered: list[int] = []
    taken: int | None = None  # counted by the offers, when a place came free
    if previous in HOLDS_PLACE:
        offered, taken = await offer_places(session, run, now, policy)
    if previous in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW):
        notice = WithdrawnNotice(
            run=RunNotice.of(run),
            sessions=sessions_of(run),
            participant_name=person.name or "A participant",
            organisation_name=enrolment.organisation.name if enrolment.organisation else None,
            had_status=previous.value,
            reason=reason,
            withdrawn_at=now,
            offered_to_waitlist=bool(offered),
            places_left=max(0, run.capacity - (await places_taken(session, run.id) if taken is None else taken)),
            capacity=run.capacity,
        )
        await _tell_overseers(session, run, notice, withdrawn_key(enrolment.id, enrolment.round), now)
    return Withdrawn(previous, enrolment.id, run.code)


async def _tell_overseers(session: AsyncSession, run: CourseRun, notice: Notice, key: str, now: datetime) -> None:
    """Queue ``notice`` for the coordinators (their chat, else each of them) and each linked trainer of the run;
    someone who is both gets one copy."""
    reached = {t.recipient for t in await notify_coordinators(session, notice, dedupe_key=key, due_at=now)}
    for trainer in await linked_trainers(session, run):
        if trainer.aad_object_id not in reached:
            key_for_trainer = f"{key}:trainer:{trainer.id}"
            await enqueue(session, notice, due_at=now, dedupe_key=key_for_trainer, recipient=trainer.aad_object_id)
