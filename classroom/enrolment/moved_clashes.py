"""A clash is with sessions at their times: when one of them moves, the clash no longer applies to it.

The participant said they could not come on the old date (a court hearing, leave). At the new time they are
expected like everyone else, so that session leaves their clash: "my courses" stops saying they will miss it,
their reminders and calendar include it. The clash's other sessions stay as they were (still missed, or still
waiting for the trainers), and a review still waiting shows only those. When no session is left, the clash is
gone: a place still waiting for the trainers' decision is confirmed (the only reason for the review has gone).
The caller tells them and the trainers what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.notices import ClearedClash, clash_review_notice, clash_review_prefix
from classroom.outbox import cancel_by_dedupe_prefix, replace_copies
from storage.models import CourseRun, Enrolment, EnrolmentStatus, RunSession


@dataclass(frozen=True)
class MovedClash:
    """A clash that included a moved session: what it was, and the sessions it still names (in order)."""

    was: ClearedClash
    still_missing: tuple[RunSession, ...]

    @property
    def confirmed_now(self) -> bool:
        """The place was waiting for the trainers only because of this session, and is confirmed now."""
        return self.was == "pending_review" and not self.still_missing


async def clear_moved_clash(
    session: AsyncSession, enrolment: Enrolment, run: CourseRun, moved: RunSession, now: datetime
) -> MovedClash | None:
    """Take ``moved`` out of the enrolment's clash; returns what the clash was, or None (no clash with it).

    Expects the run's lock and the enrolment's person, organisation and clash sessions loaded. A review still
    waiting is updated on every reviewer's card (other sessions left) or, unsent, cancelled (none left); the
    reviewers hear of it from the caller.
    """
    if enrolment.status not in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW) or all(
        s.id != moved.id for s in enrolment.clash_sessions
    ):
        return None
    was: ClearedClash = "pending_review" if enrolment.status == EnrolmentStatus.PENDING_REVIEW else "accepted"
    enrolment.clash_sessions = [s for s in enrolment.clash_sessions if s.id != moved.id]
    still_missing = tuple(enrolment.clash_sessions)
    review_prefix = clash_review_prefix(enrolment.id, enrolment.round)
    if still_missing:
        if was == "pending_review":  # still to decide, for the other sessions only
            notice = clash_review_notice(
                enrolment,
                run,
                participant_name=enrolment.person.name,
                organisation_name=enrolment.organisation.name if enrolment.organisation else None,
            )
            await replace_copies(session, review_prefix, notice, now=now)
        await session.flush()
        return MovedClash(was, still_missing)
    enrolment.clash_reason = None
    if was == "pending_review":
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.confirmed_at = now
        await cancel_by_dedupe_prefix(session, review_prefix)
    await session.flush()
    return MovedClash(was, ())
