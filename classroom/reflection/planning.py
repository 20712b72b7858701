"""Planning the reflection prompt of each session of a confirmed enrolment, beside its reminders.

``classroom.enrolment.reminders`` calls these wherever it plans or cancels a session's reminders (a place
confirmed, a session moved, a clash accepted or cleared, a place given up), so prompts follow every change of a
place exactly as reminders do: none for a session in the person's accepted clash, none for a withdrawn place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Exists, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.views import PlannedCourse, PlannedOutcome, PlannedSession
from classroom.outbox import Queued, cancel_by_dedupe_prefix, enqueue_many
from classroom.reflection.notices import (
    OutcomePart,
    QuestionPart,
    ReflectionPromptNotice,
    nudge_key,
    prompt_key,
    prompt_prefix,
)
from classroom.reflection.policy import ReflectionTiming
from classroom.reflection.questions import questions_for
from storage.direct_statements import DirectStatement
from storage.models import Course, LearningOutcome, Reflection, ReflectionStatus, RunSession

PROMPT_SHELF_LIFE = timedelta(days=14)  # a prompt held up longer than this (a stopped bot) is no longer sent


def prompt_due(run_session: PlannedSession, timing: ReflectionTiming) -> datetime:
    """The session's stored end plus the delay (elapsed time: stored times are UTC, so DST changes nothing)."""
    return run_session.ends_at + timing.delay


async def prompt_notice(
    session: AsyncSession,
    enrolment_id: int,
    course_id: int,
    run_code: str,
    run_session: PlannedSession,
    count: int,
    outcomes: Sequence[PlannedOutcome] | None = None,
    course: PlannedCourse | None = None,
) -> ReflectionPromptNotice:
    """``outcomes``: the course's learning outcomes in order, when the caller has read them; ``course``: the course,
    when the caller has it (else it is looked up)."""
    if course is None:
        course = await session.get_one(Course, course_id)
    if outcomes is None:
        outcomes = (
            await session.scalars(
                select(LearningOutcome).where(LearningOutcome.course_id == course_id).order_by(LearningOutcome.position)
            )
        ).all()
    return _notice(enrolment_id, course, run_code, run_session, count, outcomes)


def _notice(
    enrolment_id: int,
    course: PlannedCourse,
    run_code: str,
    run_session: PlannedSession,
    count: int,
    outcomes: Sequence[PlannedOutcome],
) -> ReflectionPromptNotice:
    return ReflectionPromptNotice(
        enrolment_id=enrolment_id,
        session_id=run_session.id,
        course_title=course.title,
        run_code=run_code,
        session_position=run_session.position,
        session_count=count,
        starts_at=run_session.starts_at,
        ends_at=run_session.ends_at,
        outcomes=[OutcomePart(id=o.id, text=o.text) for o in outcomes],
        questions=[
            QuestionPart(key=q.key, label=q.label, required=q.required, placeholder=q.placeholder)
            for q in questions_for(course.reflection_questions)
        ],
    )


async def plan_prompt(
    session: AsyncSession,
    *,
    enrolment_id: int,
    course_id: int,
    run_code: str,
    run_session: RunSession,
    session_count: int,
    recipient: str,
    now: datetime,
    timing: ReflectionTiming,
    due_at: datetime | None = None,
) -> int:
    """Queue the prompt (and its nudge) for one session of a confirmed enrolment; returns how many rows were queued.

    Call only for a session the person is expected at (not one of their accepted clash sessions). ``due_at``: when
    a trainer asks for the prompts now (``reflect``), instead of the session's end plus the delay.
    """
    rows = await prompt_rows(
        session,
        enrolment_id=enrolment_id,
        course_id=course_id,
        run_code=run_code,
        run_session=run_session,
        session_count=session_count,
        recipient=recipient,
        now=now,
        timing=timing,
        due_at=due_at,
    )
    return await enqueue_many(session, rows)


# Built once (read for every session of every place confirmed); equalities, not an IN list SQLAlchemy renders anew
# at each execution.
_SETTLED = select(Reflection.id).where(
    Reflection.enrolment_id == bindparam("enrolment_id"),
    Reflection.session_id == bindparam("session_id"),
    or_(Reflection.status == ReflectionStatus.DONE, Reflection.status == ReflectionStatus.SKIPPED),
)

_SETTLED_ON = DirectStatement(_SETTLED)


async def prompt_rows(
    session: AsyncSession,
    *,
    enrolment_id: int,
    course_id: int,
    run_code: str,
    run_session: PlannedSession,
    session_count: int,
    recipient: str,
    now: datetime,
    timing: ReflectionTiming,
    due_at: datetime | None = None,
    outcomes: Sequence[PlannedOutcome] | None = None,
    course: PlannedCourse | None = None,
) -> list[Queued]:
    """What :func:`plan_prompt` queues, for the caller to queue in this transaction with its other rows
    (``enqueue_many``). ``outcomes`` and ``course``: as :func:`prompt_notice`."""
    due = due_at or prompt_due(run_session, timing)
    if due < now - timing.catch_up:
        return []
    settled = await session.scalar(_SETTLED, {"enrolment_id": enrolment_id, "session_id": run_session.id})
    if settled is not None:
        return []  # finished or skipped already (a session moved after the person reflected)
    notice = await prompt_notice(
        session, enrolment_id, course_id, run_code, run_session, session_count, outcomes, course
    )
    return _prompt_and_nudge(notice, enrolment_id, run_session, recipient, due, now, timing)


def prompt_rows_on(
    connection: Connection,
    *,
    enrolment_id: int,
    run_code: str,
    run_session: PlannedSession,
    session_count: int,
    recipient: str,
    now: datetime,
    timing: ReflectionTiming,
    outcomes: Sequence[PlannedOutcome],
    course: PlannedCourse,
    reflected: bool,
) -> list[Queued]:
    """:func:`prompt_rows` from synchronous code, on the connection of the caller's transaction, with the course and
    its outcomes given. ``reflected``: whether the enrolment has any reflection finished or skipped (read by the
    caller in this transaction); only then is this session's looked for."""
    due = prompt_due(run_session, timing)
    if due < now - timing.catch_up:
        return []
    parameters = {"enrolment_id": enrolment_id, "session_id": run_session.id}
    if reflected and _SETTLED_ON.execute(connection, parameters).rows:
        return []  # finished or skipped already (a session moved after the person reflected)
    notice = _notice(enrolment_id, course, run_code, run_session, session_count, outcomes)
    return _prompt_and_nudge(notice, enrolment_id, run_session, recipient, due, now, timing)


def settled_reflections(enrolment_id: ColumnElement[int], run_id: ColumnElement[int]) -> Exists:
    """Whether the enrolment ``enrolment_id`` has a reflection finished or skipped on a session of the run ``run_id``
    (what :func:`prompt_rows` looks for, session by session): a column for a caller's statement (``reflected`` of
    :func:`prompt_rows_on`). Found through the sessions' index, as that look-up is."""
    reflections, sessions = Reflection.__table__.c, RunSession.__table__.c
    return exists().where(
        sessions.run_id == run_id,
        reflections.session_id == sessions.id,
        reflections.enrolment_id == enrolment_id,
        or_(reflections.status == ReflectionStatus.DONE, reflections.status == ReflectionStatus.SKIPPED),
    )


def _prompt_and_nudge(
    notice: ReflectionPromptNotice,
    enrolment_id: int,
    run_session: PlannedSession,
    recipient: str,
    due: datetime,
    now: datetime,
    timing: ReflectionTiming,
) -> list[Queued]:
    nudge_due = max(due, now) + timing.nudge_after
    return [
        Queued(
            notice,
            due_at=due,
            dedupe_key=prompt_key(enrolment_id, run_session.id),
            recipient=recipient,
            expires_at=due + PROMPT_SHELF_LIFE,
        ),
        Queued(
            notice.model_copy(update={"nudge": True}),
            due_at=nudge_due,
            dedupe_key=nudge_key(enrolment_id, run_session.id),
            recipient=recipient,
            expires_at=nudge_due + PROMPT_SHELF_LIFE,
        ),
    ]


async def cancel_prompts(session: AsyncSession, enrolment_id: int, session_id: int | None = None) -> int:
    """Cancel the prompts and nudges not sent yet (all of the enrolment's, or one session's)."""
    return await cancel_by_dedupe_prefix(session, prompt_prefix(enrolment_id, session_id))


async def cancel_nudge(session: AsyncSession, enrolment_id: int, session_id: int) -> int:
    return await cancel_by_dedupe_prefix(session, nudge_key(enrolment_id, session_id))
