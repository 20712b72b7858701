"""A clash is with sessions on their dates: when one of them moves to another day, the clash no longer applies
to it. (Moved within the same day, it still clashes: a court hearing takes the day.)

The participant said they could not come on the old date (a court hearing, leave). On the new date they are
expected like everyone else, so that session leaves their clash: "my courses" stops saying they will miss it,
their reminders and calendar include it. The clash's other sessions stay as they were (still missed, or still
waiting for the trainers). When no session is left, the clash is gone: a place still waiting for the trainers'
decision is confirmed (the only reason for the review has gone).

Every reviewer's copy of the review card follows: a review still waiting names the sessions left and still asks
(or, none left, says the clash was cleared, with nothing left to press); an accepted one names the sessions the
participant still misses. Each says which session moved and where to. The caller tells the participant and the
trainers what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.notices import ClearedClash, ReviewOutcome, SessionMovePart, SessionNotice
from classroom.enrolment.review_cards import review_outcome, settle_review_cards, update_open_review_cards
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


def same_day(old: SessionNotice, new: SessionNotice, zone: ZoneInfo) -> bool:
    """Whether a session moved within its day (people's day, in ``zone``)."""
    return old.starts_at.astimezone(zone).date() == new.starts_at.astimezone(zone).date()


async def clear_moved_clash(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    moved: RunSession,
    *,
    old: SessionNotice,
    new: SessionNotice,
    now: datetime,
    zone: ZoneInfo,
) -> MovedClash | None:
    """Take ``moved`` (which was at ``old`` and is now at ``new``, on another day in ``zone``) out of the enrolment's
    clash; returns what the clash was, or None (no clash with it, or it moved within its day).

    Expects the run's lock and the enrolment's person, organisation, reviewer and clash sessions loaded.
    """
    if enrolment.status not in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW) or all(
        s.id != moved.id for s in enrolment.clash_sessions
    ):
        return None
    if same_day(old, new, zone):
        return None
    was: ClearedClash = "pending_review" if enrolment.status == EnrolmentStatus.PENDING_REVIEW else "accepted"
    enrolment.clash_sessions = [s for s in enrolment.clash_sessions if s.id != moved.id]
    still_missing = tuple(enrolment.clash_sessions)
    move = SessionMovePart(old=old, new=new)
    if was == "pending_review" and still_missing:  # still to decide, for the other sessions only
        await update_open_review_cards(session, enrolment, run, move, now)
    elif was == "pending_review":  # nothing left to decide: the cards say so before the reason is forgotten
        await settle_review_cards(session, enrolment, run, ReviewOutcome(decision="cleared", at=now), now, moved=move)
    else:  # accepted: the decided cards name only the sessions still missed
        outcome = review_outcome(enrolment)
        if outcome is not None:
            await settle_review_cards(session, enrolment, run, outcome, now, moved=move)
    if not still_missing:
        enrolment.clash_reason = None
        if was == "pending_review":
            enrolment.status = EnrolmentStatus.CONFIRMED
            enrolment.confirmed_at = now
    await session.flush()
    return MovedClash(was, still_missing)
