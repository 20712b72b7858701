"""What a session's end sets off, once (after ``record_end`` recorded it): the reflection prompts brought forward
to now, the register's "attend every date" follow-ups (a kind word to each participant who missed without an
accepted clash), the summary to each trainer's 1:1 chat, and, after the run's last session, completion. The measured
register is stored too, for when its join and leave events are purged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.evaluation.planning import send_after_survey
from classroom.meetings.completion import complete_run
from classroom.meetings.notices import (
    AttendancePart,
    MissedSessionNotice,
    SessionSummaryNotice,
    missed_key,
    summary_key,
)
from classroom.meetings.outcomes import Outcome, store_outcomes
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.register import SessionRegister, expected_enrolments, load_register, run_sessions
from classroom.outbox import enqueue
from classroom.reflection.planning import cancel_prompts, plan_prompt
from storage.models import (
    AttendanceStatus,
    Course,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    Person,
    Poll,
    Reflection,
    ReflectionStatus,
    RunSession,
    RunTrainer,
)


def _minutes(delta_seconds: float) -> int:
    return int(delta_seconds // 60)


async def trainer_people(session: AsyncSession, run_id: int) -> list[Person]:
    return list(
        (
            await session.scalars(
                select(Person)
                .join(RunTrainer, RunTrainer.person_id == Person.id)
                .where(RunTrainer.run_id == run_id)
                .order_by(RunTrainer.position)
            )
        ).all()
    )


async def _prompt_now(
    session: AsyncSession,
    run: CourseRun,
    run_session: RunSession,
    count: int,
    enrolments: list[Enrolment],
    *,
    now: datetime,
    policy: MeetingPolicy,
) -> None:
    """The planned prompts of this session, brought forward under their own keys (as ``reflect`` does): a prompt
    already sent is not sent again."""
    for enrolment in enrolments:
        if enrolment.status is not EnrolmentStatus.CONFIRMED:
            continue
        if any(missed.id == run_session.id for missed in enrolment.clash_sessions):
            continue
        await cancel_prompts(session, enrolment.id, run_session.id)
        await plan_prompt(
            session,
            enrolment_id=enrolment.id,
            course_id=run.course_id,
            run_code=run.code,
            run_session=run_session,
            session_count=count,
            recipient=enrolment.person.aad_object_id,
            now=now,
            timing=policy.reflection,
            due_at=now,
        )


def _part(name: str, status: AttendanceStatus | None, seconds: float, excused: bool = False) -> AttendancePart:
    return AttendancePart(name=name, status=status, minutes=_minutes(seconds), excused=excused)


async def session_ended(
    session: AsyncSession, run_session: RunSession, *, now: datetime, policy: MeetingPolicy
) -> SessionRegister:
    run = await session.get_one(CourseRun, run_session.run_id)
    course = await session.get_one(Course, run.course_id)
    sessions = await run_sessions(session, run.id)
    count = len(sessions)
    enrolments = await expected_enrolments(session, run.id)
    register = await load_register(
        session, run_session, share_percent=policy.attended_percent, now=now, enrolments=enrolments
    )
    await store_outcomes(session, run_session.id, {r.person_id: Outcome(r.measured, r.present) for r in register.rows})
    await _prompt_now(session, run, run_session, count, enrolments, now=now, policy=policy)
    trainers = await trainer_people(session, run.id)
    trainer_names = [t.name for t in trainers if t.name]
    for row in register.missed:
        await enqueue(
            session,
            MissedSessionNotice(
                course_title=course.title,
                run_code=run.code,
                session_position=run_session.position,
                session_count=count,
                starts_at=run_session.starts_at,
                status=row.status,
                trainers=trainer_names,
            ),
            due_at=now,
            dedupe_key=missed_key(run_session.id, row.person_id),
            recipient=row.aad_object_id,
        )
    polls_run = (
        await session.scalars(
            select(Poll.question)
            .where(
                Poll.run_id == run.id,
                Poll.launched_at >= min(register.span.start, register.started_at or register.span.start),
                Poll.launched_at <= max(register.span.end, register.ended_at or register.span.end),
            )
            .order_by(Poll.launched_at)
        )
    ).all()
    reflected = int(
        await session.scalar(
            select(func.count(Reflection.id)).where(
                Reflection.session_id == run_session.id, Reflection.status == ReflectionStatus.DONE
            )
        )
        or 0
    )
    expected = sum(1 for r in register.rows if not r.excused)
    summary = SessionSummaryNotice(
        course_title=course.title,
        run_code=run.code,
        session_position=run_session.position,
        session_count=count,
        started_at=register.span.start,
        ended_at=register.span.end,
        minutes=_minutes(register.span.length.total_seconds()),
        participants=[_part(r.name, r.status, r.present.total_seconds(), r.excused) for r in register.rows],
        guests=[_part(g.name, None, g.present.total_seconds()) for g in register.guests],
        polls_run=list(polls_run),
        reflected=reflected,
        expected=expected,
        share_percent=policy.attended_percent,
    )
    for trainer in trainers:
        await enqueue(
            session,
            summary,
            due_at=now,
            dedupe_key=summary_key(run_session.id, trainer.id),
            recipient=trainer.aad_object_id,
        )
    if run_session.position == max(s.position for s in sessions):
        await complete_run(session, run.id, now=now, policy=policy)
        # The course is over: the evaluation's "after" survey goes now, not at the scheduled end (never twice).
        await send_after_survey(session, run_id=run.id, now=now, timing=policy.evaluation)
    return register
