"""Which run session a meeting event belongs to: the chat's linked run (``link RUN``, or linked automatically when
the meeting's join URL is the run's join link), then the session whose time fits the event. A recurring Teams
meeting keeps one id and one chat for every session, so the time decides, never the meeting id alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.conversations import ConversationInfo
from classroom.polls.links import link_automatically
from storage.models import ChatRunLink, CourseRun, MeetingSession, RunSession

EARLY = timedelta(hours=1)  # a trainer opening the meeting an hour before the session
LATE = timedelta(hours=2)  # a session overrunning, or the meeting left open after it


def _normalised_url(url: str) -> str:
    return url.strip().rstrip("/").casefold()


async def linked_run_id(session: AsyncSession, conversation_id: str) -> int | None:
    return await session.scalar(select(ChatRunLink.run_id).where(ChatRunLink.conversation_id == conversation_id))


async def session_at(session: AsyncSession, run_id: int, at: datetime) -> RunSession | None:
    """The run's session whose scheduled time (widened by ``EARLY`` and ``LATE``) holds ``at``; the nearest start
    when two do."""
    candidates = (
        await session.scalars(
            select(RunSession).where(
                RunSession.run_id == run_id,
                RunSession.starts_at <= at + EARLY,
                RunSession.ends_at >= at - LATE,
            )
        )
    ).all()
    if not candidates:
        return None
    return min(candidates, key=lambda s: abs(s.starts_at - at))


async def live_session(session: AsyncSession, run_id: int, meeting_id: str) -> RunSession | None:
    """The run's session whose meeting (this one) has started and not ended."""
    return await session.scalar(
        select(RunSession)
        .join(MeetingSession, MeetingSession.session_id == RunSession.id)
        .where(
            RunSession.run_id == run_id,
            MeetingSession.meeting_id == meeting_id,
            MeetingSession.started_at.is_not(None),
            MeetingSession.ended_at.is_(None),
        )
        .order_by(MeetingSession.started_at.desc())
        .limit(1)
    )


async def session_for_event(session: AsyncSession, run_id: int, meeting_id: str, at: datetime) -> RunSession | None:
    return await live_session(session, run_id, meeting_id) or await session_at(session, run_id, at)


async def run_by_join_url(session: AsyncSession, join_url: str, at: datetime) -> CourseRun | None:
    """The run whose join link is this meeting's and one of whose sessions fits ``at``; None unless exactly one."""
    wanted = _normalised_url(join_url)
    if not wanted:
        return None
    runs = (await session.scalars(select(CourseRun).where(CourseRun.join_url.is_not(None)))).all()
    matching = [r for r in runs if r.join_url and _normalised_url(r.join_url) == wanted]
    fitting = [r for r in matching if await session_at(session, r.id, at) is not None]
    return fitting[0] if len(fitting) == 1 else None


async def run_for_chat(
    session: AsyncSession, here: ConversationInfo, *, join_url: str | None, at: datetime, now: datetime
) -> int | None:
    """The chat's linked run; when it has none, the run this meeting's join URL and time name, linked now (the
    same link ``link RUN`` makes, so polls work there too). None when the chat could not be linked (a 1:1 chat):
    nothing is recorded for a chat not linked."""
    run_id = await linked_run_id(session, here.conversation_id)
    if run_id is not None or not join_url:
        return run_id
    run = await run_by_join_url(session, join_url, at)
    if run is None:
        return None
    return run.id if await link_automatically(session, here, run.id, now=now) else None
