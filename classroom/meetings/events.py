"""Teams' meeting events, as the domain sees them (already read and bounded by the dialogs): a meeting started or
ended, participants joined or left. Every effect is idempotent under replays and under two processes receiving the
same event: join/leave rows are unique per (session, person, kind, time), the start and the end are each recorded
once by a conditional update, and what they send is keyed in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.conversations import ConversationInfo
from classroom.meetings.notices import PreparedPart, SessionStartedNotice, started_key
from classroom.meetings.sessions import linked_run_id, run_for_chat, session_at, session_for_event
from classroom.outbox import enqueue
from classroom.text import bounded
from storage.models import (
    AttendanceEvent,
    Course,
    CourseRun,
    MeetingSession,
    ParticipantEvent,
    PollKind,
    PreparedPoll,
    RunSession,
)
from storage.upsert import insert_or_ignore

PREPARED_SHOWN = 10  # the start card stays short: the newest prepared polls of this run (then earlier runs')


@dataclass(frozen=True)
class Participant:
    aad_object_id: str  # lower-case, bounded
    name: str


@dataclass(frozen=True)
class SessionRef:
    run_id: int
    session_id: int
    position: int


async def _ensure_meeting(
    session: AsyncSession, run_session: RunSession, meeting_id: str, conversation_id: str
) -> None:
    await insert_or_ignore(
        session,
        MeetingSession.__table__,  # type: ignore[arg-type]
        {"session_id": run_session.id, "meeting_id": meeting_id, "conversation_id": conversation_id},
        ["session_id"],
    )


async def _prepared(session: AsyncSession, run: CourseRun) -> list[PreparedPart]:
    rows = (
        await session.execute(
            select(PreparedPoll)
            .join(CourseRun, CourseRun.id == PreparedPoll.run_id)
            .where(CourseRun.course_id == run.course_id)
            .order_by((PreparedPoll.run_id == run.id).desc(), PreparedPoll.prepared_at.desc(), PreparedPoll.id.desc())
            .limit(PREPARED_SHOWN)
        )
    ).scalars()
    return [
        PreparedPart(
            id=p.id,
            question=p.question,
            kind=PollKind(p.draft["kind"]),
            prepared_by_name=p.prepared_by_name,
            this_run=p.run_id == run.id,
        )
        for p in rows
    ]


async def meeting_started(
    session: AsyncSession, here: ConversationInfo, meeting_id: str, *, join_url: str | None, at: datetime, now: datetime
) -> SessionRef | None:
    """Record the session's real start and post the start card to the chat (once). None when the chat is not linked
    (and the join URL names no run), no session of the run fits the time, or that session has ended already (the
    start delivered out of order)."""
    run_id = await run_for_chat(session, here, join_url=join_url, at=at, now=now)
    if run_id is None:
        return None
    run_session = await session_at(session, run_id, at)
    if run_session is None:
        return None
    ended = await session.scalar(select(MeetingSession.ended_at).where(MeetingSession.session_id == run_session.id))
    if ended is not None:  # delivered after the end (or the end was assumed): no start card after it
        return None
    await _ensure_meeting(session, run_session, meeting_id, here.conversation_id)
    await session.execute(
        update(MeetingSession)
        .where(MeetingSession.session_id == run_session.id, MeetingSession.started_at.is_(None))
        .values(started_at=at, meeting_id=meeting_id)
    )
    run = await session.get_one(CourseRun, run_id)
    course = await session.get_one(Course, run.course_id)
    count = len((await session.scalars(select(RunSession.id).where(RunSession.run_id == run_id))).all())
    await enqueue(
        session,
        SessionStartedNotice(
            course_title=course.title,
            run_code=run.code,
            session_position=run_session.position,
            session_count=count,
            started_at=at,
            prepared=await _prepared(session, run),
        ),
        due_at=now,
        dedupe_key=started_key(run_session.id),
        conversation_key=here.conversation_id,
    )
    return SessionRef(run_id, run_session.id, run_session.position)


@dataclass(frozen=True)
class MeetingLinked:
    run_code: str
    course_title: str
    session_position: int
    session_count: int


async def link_meeting(
    session: AsyncSession, here: ConversationInfo, join_url: str, *, at: datetime, now: datetime
) -> MeetingLinked | None:
    """Link a meeting chat not linked yet to the run its join URL and scheduled time name (the bot was just added
    to it); None when it was linked already or names no run."""
    if await linked_run_id(session, here.conversation_id) is not None:
        return None
    run_id = await run_for_chat(session, here, join_url=join_url, at=at, now=now)
    run_session = await session_at(session, run_id, at) if run_id is not None else None
    if run_id is None or run_session is None:
        return None
    run = await session.get_one(CourseRun, run_id)
    course = await session.get_one(Course, run.course_id)
    count = len((await session.scalars(select(RunSession.id).where(RunSession.run_id == run_id))).all())
    return MeetingLinked(run.code, course.title, run_session.position, count)


async def participants_moved(
    session: AsyncSession,
    conversation_id: str,
    meeting_id: str,
    kind: ParticipantEvent,
    people: list[Participant],
    *,
    at: datetime,
) -> int:
    """Record each join or leave for the session the meeting is; returns how many were new (a replay adds none)."""
    run_id = await linked_run_id(session, conversation_id)
    if run_id is None or not people:
        return 0
    run_session = await session_for_event(session, run_id, meeting_id, at)
    if run_session is None:
        return 0
    await _ensure_meeting(session, run_session, meeting_id, conversation_id)
    added = 0
    for person in people:
        added += await insert_or_ignore(
            session,
            AttendanceEvent.__table__,  # type: ignore[arg-type]
            {
                "session_id": run_session.id,
                "aad_object_id": person.aad_object_id,
                "name": bounded(person.name, 200),
                "kind": kind,
                "at": at,
            },
            ["session_id", "aad_object_id", "kind", "at"],
        )
    return added


async def record_end(
    session: AsyncSession, conversation_id: str, meeting_id: str, *, at: datetime
) -> RunSession | None:
    """Record the session's real end; the session when this call recorded it, None when it was recorded already
    (a replay, or the other process) or the event fits no session."""
    run_id = await linked_run_id(session, conversation_id)
    if run_id is None:
        return None
    run_session = await session_for_event(session, run_id, meeting_id, at)
    if run_session is None:
        return None
    await _ensure_meeting(session, run_session, meeting_id, conversation_id)
    result = await session.execute(
        update(MeetingSession)
        .where(MeetingSession.session_id == run_session.id, MeetingSession.ended_at.is_(None))
        .values(ended_at=at)
    )
    return run_session if result.rowcount == 1 else None  # type: ignore[attr-defined]
