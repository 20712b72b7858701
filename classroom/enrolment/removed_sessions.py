"""A catalogue import that takes sessions off a run takes them out of every clash with them (the rows go with the
sessions). A place waiting for the trainers' decision whose clash is left with no session has nothing left to
decide: it is confirmed, the reviewers' cards say so, and the participant is told and reminded like everyone else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.loading import load_enrolment, load_run
from classroom.enrolment.locking import lock_run
from classroom.enrolment.notices import (
    ClashDecisionNotice,
    ReviewOutcome,
    RunNotice,
    clash_decision_key,
    sessions_of,
)
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.reminders import plan_reminders
from classroom.enrolment.review_cards import settle_review_cards
from classroom.outbox import enqueue
from storage.models import Enrolment, EnrolmentClashSession, EnrolmentStatus

_EMPTIED_REVIEWS = select(Enrolment.id, Enrolment.run_id).where(
    Enrolment.status == EnrolmentStatus.PENDING_REVIEW,
    ~exists().where(EnrolmentClashSession.enrolment_id == Enrolment.id),
)


async def confirm_emptied_reviews(session: AsyncSession, now: datetime, policy: EnrolmentPolicy) -> int:
    """Confirm every place under review whose clash has no session left; returns how many."""
    confirmed = 0
    for enrolment_id, run_id in (await session.execute(_EMPTIED_REVIEWS)).all():
        await lock_run(session, run_id)
        run = await load_run(session, run_id)
        enrolment = await load_enrolment(session, enrolment_id)
        if enrolment.status != EnrolmentStatus.PENDING_REVIEW or enrolment.clash_sessions:
            continue  # decided, withdrawn or changed since the query: no longer ours to settle
        await settle_review_cards(session, enrolment, run, ReviewOutcome(decision="cleared", at=now), now)
        enrolment.status, enrolment.confirmed_at, enrolment.clash_reason = EnrolmentStatus.CONFIRMED, now, None
        await session.flush()
        await plan_reminders(session, enrolment, run, enrolment.person.aad_object_id, now, policy)
        notice = ClashDecisionNotice(
            run=RunNotice.of(run), accepted=True, cleared=True, clash_sessions=[], sessions=sessions_of(run)
        )
        await enqueue(
            session,
            notice,
            due_at=now,
            dedupe_key=clash_decision_key(enrolment.id, enrolment.round),
            recipient=enrolment.person.aad_object_id,
        )
        confirmed += 1
    return confirmed
