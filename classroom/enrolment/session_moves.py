"""A session moves: everyone holding a place and the run's trainers are told, reminders move, and a clash with
its old time no longer applies to it (``moved_clashes``).

Sessions move either here (``move_session``, a coordinator's confirmed command) or through a catalogue import,
which updates sessions in place. Both end in ``announce_session_time``, which compares the session with the
time people were last told (``AnnouncedSessionTime``); the periodic job runs it for imports. So a move is
handled the same whichever way it came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.errors import SessionChanged
from classroom.enrolment.loading import enrolments_of_run, load_run
from classroom.enrolment.locking import lock_run
from classroom.enrolment.moved_clashes import clear_moved_clash, same_day
from classroom.enrolment.notices import (
    ClashClearedPart,
    Place,
    RunNotice,
    SessionMovedNotice,
    SessionNotice,
    TrainerSessionMovedNotice,
    session_moved_key,
    trainer_session_moved_key,
)
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.reminders import (
    cancel_reminders,
    plan_reminders,
    plan_session_reminders,
    remember_announced_time,
)
from classroom.enrolment.reviewers import clash_reviewers, linked_trainers
from classroom.enrolment.views import SessionMove, SessionMovePreview, SessionTime, run_details, session_time
from classroom.errors import InvalidInput
from classroom.outbox import enqueue
from storage.models import AnnouncedSessionTime, CourseRun, EnrolmentStatus, RunSession
from storage.models.enrolment import HOLDS_PLACE

_PLACES: dict[EnrolmentStatus, Place] = {
    EnrolmentStatus.CONFIRMED: "confirmed",
    EnrolmentStatus.PENDING_REVIEW: "pending_review",
    EnrolmentStatus.OFFERED: "offered",
}


@dataclass(frozen=True)
class Announcement:
    """Who was told of one session's move."""

    participants: int = 0
    trainers: tuple[str, ...] = ()  # names of the people told as its trainers (or coordinators, see below)
    coordinators: bool = False  # no trainer is linked and clashes were cleared: the coordinators were told
    clashes_cleared: int = 0


async def announce_session_time(
    session: AsyncSession, run: CourseRun, run_session: RunSession, now: datetime, policy: EnrolmentPolicy
) -> Announcement:
    """Tell the run's participants and trainers about a moved session, clear clashes with its old time and
    re-plan reminders.

    Expects the run's lock. A session whose time nobody was told yet has nothing to announce.
    """
    announced = await session.get(AnnouncedSessionTime, run_session.id, populate_existing=True)
    if announced is None:
        return Announcement()
    if announced.starts_at == run_session.starts_at and announced.ends_at == run_session.ends_at:
        return Announcement()
    count = len(run.sessions)
    old = SessionNotice(
        position=run_session.position, count=count, starts_at=announced.starts_at, ends_at=announced.ends_at
    )
    new = SessionNotice.of(run_session, count)
    run_notice = RunNotice.of(run)
    told = 0
    cleared: list[ClashClearedPart] = []
    for enrolment in await enrolments_of_run(session, run.id, HOLDS_PLACE):
        moved = await clear_moved_clash(
            session, enrolment, run, run_session, old=old, new=new, now=now, zone=policy.zone
        )
        still_clashes = moved is None and any(s.id == run_session.id for s in enrolment.clash_sessions)
        still_missing = [SessionNotice.of(s, count) for s in moved.still_missing] if moved else []
        if moved is not None:
            name = enrolment.person.name or "A participant"
            cleared.append(ClashClearedPart(participant_name=name, was=moved.was, still_missing=still_missing))
        recipient = enrolment.person.aad_object_id
        notice = SessionMovedNotice(
            run=run_notice,
            old=old,
            new=new,
            place=_PLACES[enrolment.status],
            cleared_clash=moved.was if moved else None,
            still_missing=still_missing,
            still_clashes=still_clashes,
        )
        await enqueue(
            session,
            notice,
            due_at=now,
            dedupe_key=session_moved_key(run_session.id, announced.starts_at, run_session.starts_at, enrolment.id),
            recipient=recipient,
        )
        told += 1
        if moved is not None and moved.confirmed_now:  # every reminder is new
            await plan_reminders(session, enrolment, run, recipient, now, policy)
        elif enrolment.status == EnrolmentStatus.CONFIRMED:
            await cancel_reminders(session, enrolment.id, run_session.id)
            await plan_session_reminders(session, enrolment, run, run_session, recipient, now, policy)

    # The trainers hear of every move; cleared clashes go to whoever reviews them (the coordinators when no
    # trainer is linked to Teams), since they may still hold the review card.
    trainers = await linked_trainers(session, run)
    reviewers = await clash_reviewers(session, run) if cleared and not trainers else trainers
    to_coordinators = bool(reviewers) and not trainers
    trainer_notice = TrainerSessionMovedNotice(
        run=run_notice,
        old=old,
        new=new,
        participants_told=told,
        cleared_clashes=cleared,
        to_coordinators=to_coordinators,
    )
    for person in reviewers:
        await enqueue(
            session,
            trainer_notice,
            due_at=now,
            dedupe_key=trainer_session_moved_key(run_session.id, announced.starts_at, run_session.starts_at, person.id),
            recipient=person.aad_object_id,
        )
    announced.starts_at, announced.ends_at, announced.updated_at = run_session.starts_at, run_session.ends_at, now
    await session.flush()
    return Announcement(
        participants=told,
        trainers=tuple(p.name or "a trainer" for p in reviewers),
        coordinators=to_coordinators,
        clashes_cleared=len(cleared),
    )


async def announce_run_sessions(session: AsyncSession, run: CourseRun, now: datetime, policy: EnrolmentPolicy) -> int:
    """Announce every moved session of a run (expects its lock); returns how many participants were told."""
    told = 0
    for run_session in run.sessions:
        told += (await announce_session_time(session, run, run_session, now, policy)).participants
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


def check_move(run: CourseRun, position: int, starts_at: datetime, ends_at: datetime, now: datetime) -> RunSession:
    """The session a move names, if it may move there.

    Raises:
        InvalidInput: no such session, an end before the start, a time in the past, the time it has already,
            or an overlap with another session of the run.
    """
    run_session = next((s for s in run.sessions if s.position == position), None)
    if run_session is None:
        raise InvalidInput(f"{run.code} has no session {position}; it has {len(run.sessions)}")
    if ends_at <= starts_at:
        raise InvalidInput("the session must end after it starts")
    if starts_at <= now:
        raise InvalidInput("a session can only move to a time in the future")
    if run_session.starts_at == starts_at and run_session.ends_at == ends_at:
        raise InvalidInput(f"session {position} of {run.code} is already at that time")
    for other in run.sessions:
        if other.id != run_session.id and other.starts_at < ends_at and starts_at < other.ends_at:
            raise InvalidInput(f"that overlaps session {other.position}")
    return run_session


async def preview_move(
    session: AsyncSession,
    run: CourseRun,
    position: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> SessionMovePreview:
    """What ``move_session`` would do and whom it would tell; changes nothing. Raises InvalidInput as
    ``check_move``."""
    run_session = check_move(run, position, starts_at, ends_at, now)
    holders = await enrolments_of_run(session, run.id, HOLDS_PLACE)
    count = len(run.sessions)
    new = SessionNotice(position=position, count=count, starts_at=starts_at, ends_at=ends_at)
    clashes = (
        0  # a move within the day clears no clash
        if same_day(SessionNotice.of(run_session, count), new, zone)
        else sum(
            1
            for e in holders
            if e.status != EnrolmentStatus.OFFERED and any(s.id == run_session.id for s in e.clash_sessions)
        )
    )
    trainers = await linked_trainers(session, run)
    return SessionMovePreview(
        run=run_details(run),
        old=session_time(run_session),
        new=SessionTime(run_session.id, position, starts_at, ends_at),
        participants=len(holders),
        trainers_told=tuple(p.name or "a trainer" for p in trainers),
        trainers_unreachable=tuple(t.name for t in run.trainers if t.person_id is None),
        coordinators_told=bool(clashes) and not trainers,
        clashes_cleared=clashes,
    )


async def move_session(
    session: AsyncSession,
    run: CourseRun,
    position: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    policy: EnrolmentPolicy,
    *,
    was: tuple[datetime, datetime],
) -> SessionMove:
    """Move one session of a run from ``was`` (the time the coordinator was shown) and tell everyone.

    Expects the run's lock. A session already at the new time is reported as ``already_done`` and nobody is told
    again (a confirmation pressed twice, or redelivered by Teams).

    Raises:
        SessionChanged: the session is no longer at ``was`` (nothing changed).
        InvalidInput: as ``check_move``.
    """
    current = next((s for s in run.sessions if s.position == position), None)
    if current is not None and (current.starts_at, current.ends_at) == (starts_at, ends_at):
        old = SessionTime(current.id, position, *was)
        return SessionMove(run_details(run), position, old, session_time(current), 0, already_done=True)
    if current is not None and (current.starts_at, current.ends_at) != was:
        raise SessionChanged(f"session {position} of {run.code} has moved since", current=session_time(current))
    run_session = check_move(run, position, starts_at, ends_at, now)
    old = session_time(run_session)
    # Announce against the time people hold now, even if no reminder recorded it yet.
    await remember_announced_time(session, run_session, now)
    run_session.starts_at, run_session.ends_at = starts_at, ends_at
    await session.flush()
    announced = await announce_session_time(session, run, run_session, now, policy)
    return SessionMove(
        run=run_details(run),
        position=position,
        old=old,
        new=session_time(run_session),
        participants_told=announced.participants,
        trainers_told=announced.trainers,
        coordinators_told=announced.coordinators,
        clashes_cleared=announced.clashes_cleared,
    )
