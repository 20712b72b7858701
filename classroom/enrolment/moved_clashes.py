"""A clash is with one session at one time: when that session moves, the clash no longer applies.

The participant said they could not come on the old date (a court hearing, leave). At the new time they are
expected like everyone else, so the clash is cleared: "my courses" stops saying they will miss it, their
reminders and calendar include it, and a place still waiting for the trainers' decision is confirmed (the only
reason for the review has gone). The caller tells them and the trainers what changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.notices import ClearedClash, clash_review_prefix
from classroom.outbox import cancel_by_dedupe_prefix
from storage.models import Enrolment, EnrolmentStatus, RunSession


async def clear_moved_clash(
    session: AsyncSession, enrolment: Enrolment, moved: RunSession, now: datetime
) -> ClearedClash | None:
    """Clear the enrolment's clash if it is with ``moved``; returns what the clash was, or None (no clash there).

    Expects the run's lock. Review cards not sent yet are cancelled; the reviewers hear of it from the caller.
    """
    if enrolment.clash_session_id != moved.id or enrolment.status not in (
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.PENDING_REVIEW,
    ):
        return None
    was: ClearedClash = "pending_review" if enrolment.status == EnrolmentStatus.PENDING_REVIEW else "accepted"
    enrolment.clash_session = None
    enrolment.clash_session_id = None
    enrolment.clash_reason = None
    if was == "pending_review":
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.confirmed_at = now
        await cancel_by_dedupe_prefix(session, clash_review_prefix(enrolment.id, enrolment.round))
    await session.flush()
    return was
