"""A session moves: everyone holding a place is told, and their reminders move with it.

Sessions move either here (``move_session``, a coordinator's command) or through a catalogue import, which
updates sessions in place. Both end in ``announce_session_time``, which compares the session with the time
people were last told (``AnnouncedSessionTime``); the periodic job runs it for imports.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.loading import enrolments_of_run, load_run
from classroom.enrolment.locking import lock_run
from classroom.enrolment.notices import RunNotice, SessionMovedNotice, SessionNotice, session_moved_key
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.reminders import cancel_reminders, plan_session_reminders, remember_announced_time
from classroom.errors import InvalidInput
from classroom.outbox import enqueue
from storage.models import AnnouncedSessionTime, CourseRun, EnrolmentStatus, RunSession
from storage.models.enrolment import HOLDS_PLACE


async def announce_session_time(
    session: AsyncSession, run: CourseRun, run_session: RunSession, now: datetime, policy: EnrolmentPolicy
) -> int:
    """Tell the run's participants about a moved session and re-plan their reminders; returns how many were told.

    Expects the run's lock. A session nobody was told about yet has nothing to announce.
    """
    announced = await session.get(AnnouncedSessionTime, run_session.id, populate_existing=True)
    if announced is None:
        return 0
    if announced.starts_at == run_session.starts_at and announced.ends_at == run_session.ends_at:
        return 0
    count = len(run.sessions)
    old = SessionNotice(
        position=run_session.position, count=count, starts_at=announced.starts_at, ends_at=announced.ends_at
    )
    new = SessionNotice.of(run_session, count)
    told = 0
    for enrolment in await enrolments_of_run(session, run.id, HOLDS_PLACE):
        notice = SessionMovedNotice(run=RunNotice.of(run), old=old, new=new)
        recipient = enrolment.person.aad_object_id
        await enqueue(
            session,
            notice,
            due_at=now,
            dedupe_key=session_moved_key(run_session.id, announced.starts_at, run_session.starts_at, enrolment.id),
            recipient=recipient,
        )
        told += 1
        if enrolment.status == EnrolmentStatus.CONFIRMED:
            await cancel_reminders(session, enrolment.id, run_session.id)
            await plan_session_reminders(session, enrolment, run, run_session, recipient, now, policy)
    announced.starts_at, announced.ends_at, announced.updated_at = run_session.starts_at, run_session.ends_at, now
    await session.flush()
    return told


async def announce_run_sessions(session: AsyncSession, run: CourseRun, now: datetime, policy: EnrolmentPolicy) -> int:
    """Announce every moved session of a run (expects its lock)."""
    told = 0
    for run_session in run.sessions:
        told += await announce_session_time(session, run, run_session, now, policy)
    return told


async def announce_moved_sessions(session: AsyncSession, now: datetime, policy: EnrolmentPolicy) -> int:
    """Find sessions moved since people were told (e.g. by a catalogue import) and announce them."""
    run_ids = set(
        await session.scalars(
            select(RunSession.run_id)
            .join(AnnouncedSessionTime, AnnouncedSessionTime.session_id == RunSession.id)
            .where(
                or_(
                    AnnouncedSessionTime.starts_at != RunSession.starts_at,
                    AnnouncedSessionTime.ends_at != RunSession.ends_at,
                )
            )
        )
    )
    told = 0
    for run_id in sorted(run_ids):
        await lock_run(session, run_id)
        told += await announce_run_sessions(session, await load_run(session, run_id), now, policy)
    return told


async def move_session(
    session: AsyncSession,
    run: CourseRun,
    position: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    policy: EnrolmentPolicy,
) -> tuple[RunSession, datetime, datetime, int]:
    """Move one session of a run (expects its lock); returns it, its old start and end, and how many were told.

    Raises:
        InvalidInput: no such session, an end before the start, a time in the past, or an overlap with another
            session of the run.
    """
    run_session = next((s for s in run.sessions if s.position == position), None)
    if run_session is None:
        raise InvalidInput(f"{run.code} has no session {position}; it has {len(run.sessions)}")
    if ends_at <= starts_at:
        raise InvalidInput("the session must end after it starts")
    if starts_at <= now:
        raise InvalidInput("a session can only move to a time in the future")
    for other in run.sessions:
        if other.id != run_session.id and other.starts_at < ends_at and starts_at < other.ends_at:
            raise InvalidInput(f"that overlaps session {other.position}")
    old_start, old_end = run_session.starts_at, run_session.ends_at
    # Announce against the time people hold now, even if no reminder recorded it yet.
    await remember_announced_time(session, run_session, now)
    run_session.starts_at, run_session.ends_at = starts_at, ends_at
    await session.flush()
    told = await announce_session_time(session, run, run_session, now, policy)
    return run_session, old_start, old_end, told
