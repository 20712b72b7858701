"""A clash is with one session at one time: when that session moves, the clash no longer applies.

The participant said they could not come on the old date (a court hearing, leave). At the new time they are
expected like everyone else, so the clash is cleared: "my courses" stops saying they will miss it, their
reminders and calendar include it, and a place still waiting for the trainers' decision is confirmed (the only
reason for the review has gone), and every reviewer's copy of its review card says so instead of asking. The
caller tells them and the trainers what changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.notices import ClearedClash, ReviewOutcome, SessionNotice
from classroom.enrolment.review_cards import settle_review_cards
from storage.models import CourseRun, Enrolment, EnrolmentStatus, RunSession


async def clear_moved_clash(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    moved: RunSession,
    *,
    old: SessionNotice,
    new: SessionNotice,
    now: datetime,
) -> ClearedClash | None:
    """Clear the enrolment's clash if it is with ``moved`` (which was at ``old`` and is now at ``new``); returns
    what the clash was, or None (no clash there).

    Expects the run's lock. Review cards not sent yet are cancelled, sent ones show the clash cleared; the
    reviewers hear of the move from the caller.
    """
    if enrolment.clash_session_id != moved.id or enrolment.status not in (
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.PENDING_REVIEW,
    ):
        return None
    was: ClearedClash = "pending_review" if enrolment.status == EnrolmentStatus.PENDING_REVIEW else "accepted"
    if was == "pending_review":
        # Before the clash is forgotten: the cards go on showing what they asked about, and why it is settled.
        outcome = ReviewOutcome(decision="cleared", at=now, moved_to=new)
        await settle_review_cards(session, enrolment, run, outcome, now, clash=old)
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.confirmed_at = now
    enrolment.clash_session = None
    enrolment.clash_session_id = None
    enrolment.clash_reason = None
    await session.flush()
    return was
