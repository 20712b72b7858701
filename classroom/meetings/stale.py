"""Sessions whose end Teams never told us about (the meetingEnd event lost, the bot down at the time, the meeting
left open): once the scheduled end plus ``LATE`` has passed, the periodic job closes them as Teams would have, so
the register stops growing and the end's effects (prompts, summary, missed notices, completion after the last
session) happen after all. The end is recorded by the same conditional update as a real end, so the effects run
once whichever comes first; a real end arriving later finds the session ended and changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.meetings.ending import session_ended
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.sessions import LATE
from storage.models import AttendanceEvent, MeetingSession, ParticipantEvent, RunSession

BATCH = 50  # sessions closed per run of the job; the rest wait for the next


async def _assumed_end(session: AsyncSession, meeting: MeetingSession, run_session: RunSession) -> datetime:
    """The last leave seen (people leave as a meeting ends), never past the scheduled end plus ``LATE``; the
    scheduled end when nobody was seen leaving."""
    last_leave = await session.scalar(
        select(func.max(AttendanceEvent.at)).where(
            AttendanceEvent.session_id == run_session.id, AttendanceEvent.kind == ParticipantEvent.LEAVE
        )
    )
    assert meeting.started_at is not None
    end = min(last_leave, run_session.ends_at + LATE) if last_leave is not None else run_session.ends_at
    return max(end, meeting.started_at)


async def close_stale_sessions(session: AsyncSession, *, now: datetime, policy: MeetingPolicy) -> int:
    """Close the sessions started, not ended, and past their scheduled end plus ``LATE``; how many this call
    closed (and set off the end's effects for)."""
    stale = (
        await session.execute(
            select(MeetingSession, RunSession)
            .join(RunSession, RunSession.id == MeetingSession.session_id)
            .where(
                MeetingSession.started_at.is_not(None),
                MeetingSession.ended_at.is_(None),
                RunSession.ends_at < now - LATE,
            )
            .order_by(RunSession.ends_at, RunSession.id)
            .limit(BATCH)
        )
    ).all()
    closed = 0
    for meeting, run_session in stale:
        ended_at = await _assumed_end(session, meeting, run_session)
        result = await session.execute(
            update(MeetingSession)
            .where(MeetingSession.session_id == run_session.id, MeetingSession.ended_at.is_(None))
            .values(ended_at=ended_at)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            continue  # the real end came in meanwhile
        await session_ended(session, run_session, now=now, policy=policy)
        closed += 1
    return closed
