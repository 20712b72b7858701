"""The waitlist: a freed place is offered to the first person waiting, for a limited time, then to the next.

Every function here expects the run's lock to be held (``locking.lock_run``), so two transactions never
offer the same place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.loading import enrolment_counts, enrolments_of_run, load_run, places_taken
from classroom.enrolment.locking import lock_run
from classroom.enrolment.notices import OfferLapsedNotice, RunNotice, offer_key, offer_lapsed_key
from classroom.enrolment.offer_cards import offer_notice, settle_offer_cards
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.reminders import remember_announced_times
from classroom.outbox import enqueue
from storage.models import CourseRun, Enrolment, EnrolmentStatus, RunSession
from storage.models.enrolment import HOLDS_PLACE


def is_open(run: CourseRun, now: datetime) -> bool:
    """A run takes enrolments (and makes offers) until its first session starts."""
    return bool(run.sessions) and run.sessions[0].starts_at > now


async def offer_free_places(session: AsyncSession, run: CourseRun, now: datetime, policy: EnrolmentPolicy) -> list[int]:
    """Offer each free place to the next person waiting; returns the enrolment ids offered a place."""
    if not is_open(run, now):
        return []
    return (await offer_places(session, run, now, policy))[0]


async def offer_places(
    session: AsyncSession, run: CourseRun, now: datetime, policy: EnrolmentPolicy
) -> tuple[list[int], int]:
    """:func:`offer_free_places`, also returning the places taken once the offers are made (so the caller need not
    count them again): places held and people waiting in one grouped count, the waitlist read only when someone
    is waiting and a place is free. The places are counted even when the run no longer takes enrolments."""
    counts = (await enrolment_counts(session, [run.id])).get(run.id, {})
    taken = sum(counts.get(status, 0) for status in HOLDS_PLACE)
    free = run.capacity - taken
    if not is_open(run, now) or free <= 0 or not counts.get(EnrolmentStatus.WAITLISTED):
        return [], taken
    waiting = await enrolments_of_run(session, run.id, {EnrolmentStatus.WAITLISTED})
    if waiting:
        await remember_announced_times(session, run, now)  # so a later move reaches the people offered
    offered = []
    for enrolment in waiting[:free]:
        # Never hold a place past the start of the course.
        expires_at = min(now + policy.offer_hold, run.sessions[0].starts_at)
        enrolment.status = EnrolmentStatus.OFFERED
        enrolment.offer_expires_at = expires_at
        await enqueue(
            session,
            offer_notice(run, enrolment.person.organisation, expires_at),
            due_at=now,
            dedupe_key=offer_key(enrolment.id, enrolment.round),
            recipient=enrolment.person.aad_object_id,
        )
        offered.append(enrolment.id)
    await session.flush()
    return offered, taken + len(offered)  # an offer holds a place


async def lapse_offer(session: AsyncSession, enrolment: Enrolment, run: CourseRun, now: datetime) -> None:
    """An offer not taken up in time: the person leaves the waitlist and is told so; the offer card says so too."""
    enrolment.status = EnrolmentStatus.OFFER_LAPSED
    enrolment.ended_at = now
    await settle_offer_cards(session, enrolment, run, enrolment.person.organisation, "lapsed", now)
    notice = OfferLapsedNotice(run=RunNotice.of(run))
    await enqueue(
        session,
        notice,
        due_at=now,
        dedupe_key=offer_lapsed_key(enrolment.id, enrolment.round),
        recipient=enrolment.person.aad_object_id,
    )
    await session.flush()


async def expire_offers(session: AsyncSession, now: datetime, policy: EnrolmentPolicy) -> int:
    """Lapse every offer past its time and pass each place on; also fill places freed by a larger capacity.

    Returns how many offers lapsed. Runs (locked one at a time, in id order) are processed independently.
    """
    expired_runs = set(
        await session.scalars(
            select(Enrolment.run_id).where(
                Enrolment.status == EnrolmentStatus.OFFERED, Enrolment.offer_expires_at <= now
            )
        )
    )
    # Runs still open with people waiting: a larger capacity (a catalogue import) may have freed places.
    open_runs = select(RunSession.run_id).group_by(RunSession.run_id).having(func.min(RunSession.starts_at) > now)
    waiting_runs = set(
        await session.scalars(
            select(Enrolment.run_id).where(
                Enrolment.status == EnrolmentStatus.WAITLISTED, Enrolment.run_id.in_(open_runs)
            )
        )
    )
    for run_id in list(waiting_runs - expired_runs):
        capacity = await session.scalar(select(CourseRun.capacity).where(CourseRun.id == run_id))
        if capacity is None or capacity <= await places_taken(session, run_id):
            waiting_runs.discard(run_id)  # full: nothing to offer, no need to lock it
    lapsed = 0
    for run_id in sorted(expired_runs | waiting_runs):
        await lock_run(session, run_id)
        run = await load_run(session, run_id)
        for enrolment in await enrolments_of_run(session, run_id, {EnrolmentStatus.OFFERED}):
            if enrolment.offer_expires_at is not None and enrolment.offer_expires_at <= now:
                await lapse_offer(session, enrolment, run, now)
                lapsed += 1
        await offer_free_places(session, run, now, policy)
    return lapsed
