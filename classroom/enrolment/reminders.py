"""Reminders before every session: one outbox row per confirmed enrolment, session and offset; and beside them
each session's reflection prompt after it ends (``classroom.reflection.planning``), and the course evaluation's
"before" and "after" surveys (``classroom.evaluation.planning``).

Planned when a place is confirmed, cancelled with it, and re-planned when a session moves. An offset already
passed when the place is confirmed gets no reminder (nobody wants "your course is in 7 days" 2 days before).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from classroom.catalogue.views import KeptRun, PlannedCourse, PlannedOutcome, PlannedRun, PlannedSession
from classroom.enrolment.notices import (
    ReminderNotice,
    RunNotice,
    SessionNotice,
    TrainerReminderNotice,
    reminder_key,
    reminder_prefix,
    trainer_reminder_key,
)
from classroom.enrolment.policy import EnrolmentPolicy, reminder_due
from classroom.evaluation.notices import survey_prefix
from classroom.evaluation.planning import RunKeyFacts, first_session, last_session, survey_rows, survey_rows_on
from classroom.outbox import (
    Queued,
    cancel_by_dedupe_prefix,
    cancel_by_dedupe_prefixes,
    cancel_by_dedupe_prefixes_on,
    enqueue,
    enqueue_many,
    enqueue_many_on,
)
from classroom.reflection.notices import prompt_prefix
from classroom.reflection.planning import cancel_prompts, prompt_rows, prompt_rows_on
from storage.base import UtcDateTime
from storage.models import (
    AnnouncedSessionTime,
    CourseRun,
    Enrolment,
    EnrolmentClashSession,
    EnrolmentStatus,
    LearningOutcome,
    Person,
    RunSession,
    RunTrainer,
)
from storage.upsert import insert_for, insert_or_ignore, insert_or_ignore_on


async def remember_announced_time(session: AsyncSession, run_session: PlannedSession, now: datetime) -> None:
    """Record the time people are being told for this session, unless one is recorded already."""
    await insert_or_ignore(session, _ANNOUNCED, _announced(run_session, now), ["session_id"])


_ANNOUNCED: Table = AnnouncedSessionTime.__table__  # type: ignore[assignment]


def _announced(run_session: PlannedSession, now: datetime) -> dict[str, Any]:
    """The row recording the time people are being told for ``run_session``."""
    return {
        "session_id": run_session.id,
        "starts_at": run_session.starts_at,
        "ends_at": run_session.ends_at,
        "updated_at": now,
    }


async def remember_announced_times(session: AsyncSession, run: PlannedRun, now: datetime) -> None:
    for run_session in run.sessions:
        await remember_announced_time(session, run_session, now)


async def remember_unannounced_sessions(session: AsyncSession, now: datetime) -> int:
    """Record the time of every session still ahead that has none recorded yet; returns how many.

    So a catalogue import that moves a session nobody has enrolled on yet is still noticed, and its trainers
    told. (The periodic job runs this after announcing moves, so a move is always compared with the old time.)
    """
    source = select(RunSession.id, RunSession.starts_at, RunSession.ends_at, literal(now, UtcDateTime())).where(
        RunSession.ends_at > now,
        ~exists().where(AnnouncedSessionTime.session_id == RunSession.id),
    )
    statement = (
        insert_for(session, AnnouncedSessionTime)
        .from_select(["session_id", "starts_at", "ends_at", "updated_at"], source)
        .on_conflict_do_nothing(index_elements=["session_id"])
    )
    return int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def plan_session_reminders(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    run_session: RunSession,
    recipient: str,
    now: datetime,
    policy: EnrolmentPolicy,
    *,
    surveys: bool = True,
) -> int:
    """Queue the reminders still ahead for one session of a confirmed enrolment, and its reflection prompt; returns
    how many rows were queued.

    ``surveys``: when the session is the run's first or last, re-plan the evaluation surveys too (a moved session).
    """
    rows: list[Queued] = []
    if surveys and run_session in (first_session(run.sessions), last_session(run.sessions)):
        rows += await survey_rows(
            session, enrolment_id=enrolment.id, run=run, recipient=recipient, now=now, timing=policy.evaluation
        )
    missed = frozenset(s.id for s in enrolment.clash_sessions)
    rows += await _session_rows(session, enrolment.id, missed, run, run_session, recipient, now, policy, None, None)
    return await enqueue_many(session, rows)


async def _session_rows(
    session: AsyncSession,
    enrolment_id: int,
    missed: frozenset[int],
    run: PlannedRun,
    run_session: PlannedSession,
    recipient: str,
    now: datetime,
    policy: EnrolmentPolicy,
    outcomes: Sequence[PlannedOutcome] | None,
    course: PlannedCourse | None,
) -> list[Queued]:
    """One session's reflection prompt and reminders still ahead, as rows to queue (``missed``: the ids of the
    sessions the trainers accepted the person misses; ``outcomes`` and ``course``: as ``prompt_rows``)."""
    if run_session.id in missed:
        return []  # the trainers accepted that they miss this one: no reminder, no reflection prompt
    rows = await prompt_rows(
        session,
        enrolment_id=enrolment_id,
        course_id=run.course_id,
        run_code=run.code,
        run_session=run_session,
        session_count=len(run.sessions),
        recipient=recipient,
        now=now,
        timing=policy.reflection,
        outcomes=outcomes,
        course=course,
    )
    return rows + _reminder_rows(enrolment_id, run, run_session, recipient, now, policy)


def _reminder_rows(
    enrolment_id: int,
    run: PlannedRun,
    run_session: PlannedSession,
    recipient: str,
    now: datetime,
    policy: EnrolmentPolicy,
) -> list[Queued]:
    """One session's reminders still ahead, as rows to queue."""
    rows: list[Queued] = []
    for offset in policy.reminder_offsets:
        due = reminder_due(run_session.starts_at, offset, policy.zone)
        if due <= now:
            continue
        notice = ReminderNotice(
            run=RunNotice.of(run),
            session=SessionNotice.of(run_session, len(run.sessions)),
            offset_seconds=int(offset.total_seconds()),
        )
        rows.append(
            Queued(
                notice,
                due_at=due,
                dedupe_key=reminder_key(enrolment_id, run_session, int(offset.total_seconds())),
                recipient=recipient,
                expires_at=run_session.starts_at,
            )
        )
    return rows


async def plan_reminders(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    recipient: str,
    now: datetime,
    policy: EnrolmentPolicy,
) -> int:
    """Queue every reminder still ahead for a confirmed enrolment, with its reflection prompts and evaluation
    surveys; returns how many rows were queued. The course's learning outcomes are read once, and every row is
    queued in one statement."""
    missed = frozenset(s.id for s in enrolment.clash_sessions)
    return await plan_reminders_of(session, enrolment.id, missed, run, recipient, now, policy)


# The course's learning outcomes in order (built once).
_OUTCOMES = (
    select(LearningOutcome)
    .where(LearningOutcome.course_id == bindparam("course_id"))
    .order_by(LearningOutcome.position)
)


async def plan_reminders_of(
    session: AsyncSession,
    enrolment_id: int,
    missed: frozenset[int],
    run: PlannedRun,
    recipient: str,
    now: datetime,
    policy: EnrolmentPolicy,
    *,
    announce: bool = True,
) -> int:
    """:func:`plan_reminders` of an enrolment known by its id and the ids of the sessions it misses (written with
    plain statements: no ORM entity of it); needs the run's course and sessions loaded.

    A run of the catalogue kept in memory (``KeptRun``, checked by the caller against the database's catalogue
    version in this transaction) brings its course's outcomes and reflection questions: they are not read.
    ``announce=False``: the caller read, in this transaction under the run's lock, that every session of the run
    has its time recorded as told (:func:`remember_announced_times` would write nothing)."""
    if announce:
        await remember_announced_times(session, run, now)
    outcomes: Sequence[PlannedOutcome]
    course: PlannedCourse | None = None
    if isinstance(run, KeptRun):
        outcomes, course = run.course.outcomes, run.course
    else:
        outcomes = (await session.scalars(_OUTCOMES, {"course_id": run.course_id})).all()
    rows = await survey_rows(
        session,
        enrolment_id=enrolment_id,
        run=run,
        recipient=recipient,
        now=now,
        timing=policy.evaluation,
        outcomes=outcomes,
        course=course,
    )
    for run_session in run.sessions:
        rows += await _session_rows(
            session, enrolment_id, missed, run, run_session, recipient, now, policy, outcomes, course
        )
    return await enqueue_many(session, rows)


def plan_reminders_on(
    connection: Connection,
    enrolment_id: int,
    run: KeptRun,
    recipient: str,
    now: datetime,
    policy: EnrolmentPolicy,
    *,
    announce: bool,
    evaluation: RunKeyFacts,
    reflected: bool,
) -> int:
    """:func:`plan_reminders_of` of a place that misses no session, from synchronous code on the connection of the
    caller's transaction, given what the caller read under the run's lock in this transaction: ``evaluation`` (the
    run's survey key and whether anyone answered: ``evaluation.planning.run_key_columns``) and ``reflected`` (whether
    the enrolment has a reflection finished or skipped: ``reflection.planning.settled_reflections``). The same rows
    queued, in one statement; nothing read that the caller's read says is not there."""
    if announce:
        for run_session in run.sessions:
            insert_or_ignore_on(connection, _ANNOUNCED, _announced(run_session, now), ["session_id"])
    course = run.course
    rows = survey_rows_on(
        connection,
        enrolment_id=enrolment_id,
        run=run,
        recipient=recipient,
        now=now,
        timing=policy.evaluation,
        outcomes=course.outcomes,
        course=course,
        facts=evaluation,
    )
    for run_session in run.sessions:
        rows += prompt_rows_on(
            connection,
            enrolment_id=enrolment_id,
            run_code=run.code,
            run_session=run_session,
            session_count=len(run.sessions),
            recipient=recipient,
            now=now,
            timing=policy.reflection,
            outcomes=course.outcomes,
            course=course,
            reflected=reflected,
        )
        rows += _reminder_rows(enrolment_id, run, run_session, recipient, now, policy)
    return enqueue_many_on(connection, rows)


async def cancel_reminders(session: AsyncSession, enrolment_id: int, session_id: int | None = None) -> None:
    """Cancel the enrolment's reminders not sent yet (all of them, or one session's), and its reflection prompts
    (and, for all of them, its evaluation surveys: the place is given up)."""
    if session_id is None:  # the place given up: its reminders, prompts and surveys in one statement run
        prefixes = [reminder_prefix(enrolment_id), prompt_prefix(enrolment_id), survey_prefix(enrolment_id)]
        await cancel_by_dedupe_prefixes(session, prefixes)
        return
    await cancel_prompts(session, enrolment_id, session_id)
    await cancel_by_dedupe_prefix(session, reminder_prefix(enrolment_id, session_id))


def cancel_reminders_on(connection: Connection, enrolment_id: int) -> None:
    """:func:`cancel_reminders` of a place given up, from synchronous code on the connection of the caller's
    transaction: its reminders, prompts and surveys in one statement."""
    prefixes = [reminder_prefix(enrolment_id), prompt_prefix(enrolment_id), survey_prefix(enrolment_id)]
    cancel_by_dedupe_prefixes_on(connection, prefixes)


async def plan_trainer_reminders(session: AsyncSession, now: datetime, policy: EnrolmentPolicy) -> int:
    """Queue the trainers' reminder for each session starting within the trainer offset, with the roster count.

    Run every minute: the count is the roster as it stands about an hour before, and the dedupe key makes a
    second run (or a second replica) a no-op. Sessions already started get nothing.
    """
    sessions = (
        await session.scalars(
            select(RunSession)
            .where(RunSession.starts_at > now, RunSession.starts_at <= now + policy.trainer_reminder_offset)
            .options(
                joinedload(RunSession.run).options(
                    joinedload(CourseRun.course),
                    selectinload(CourseRun.sessions),
                    selectinload(CourseRun.trainers),
                )
            )
        )
    ).all()
    queued = 0
    for run_session in sessions:
        run = run_session.run
        trainer_ids = [t.person_id for t in run.trainers if t.person_id is not None]
        if not trainer_ids:
            continue
        counts = dict(
            (
                await session.execute(
                    select(Enrolment.status, func.count(Enrolment.id))
                    .where(Enrolment.run_id == run.id)
                    .group_by(Enrolment.status)
                )
            ).all()
        )
        missing = await session.scalar(
            select(func.count())
            .select_from(EnrolmentClashSession)
            .join(Enrolment, Enrolment.id == EnrolmentClashSession.enrolment_id)
            .where(EnrolmentClashSession.session_id == run_session.id, Enrolment.status == EnrolmentStatus.CONFIRMED)
        )
        notice = TrainerReminderNotice(
            run=RunNotice.of(run),
            session=SessionNotice.of(run_session, len(run.sessions)),
            confirmed=int(counts.get(EnrolmentStatus.CONFIRMED, 0)),
            pending_review=int(counts.get(EnrolmentStatus.PENDING_REVIEW, 0)),
            capacity=run.capacity,
            missing=int(missing or 0),
        )
        trainers = await session.execute(
            select(Person.id, Person.aad_object_id)
            .join(RunTrainer, RunTrainer.person_id == Person.id)
            .where(RunTrainer.run_id == run.id)
        )
        for person_id, aad_object_id in trainers.all():
            queued += await enqueue(
                session,
                notice,
                due_at=now,
                dedupe_key=trainer_reminder_key(run_session, person_id),
                recipient=aad_object_id,
                expires_at=run_session.starts_at,
            )
    return queued
