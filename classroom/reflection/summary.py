"""What trainers (and coordinators) see of a session's reflections: how many reflected, never what anyone wrote.

The outcome marks are counted only when at least ``MIN_GROUP`` people reflected, so a small group's marks cannot
be traced back to a person. Counting them opens the sealed answers here, in the domain, and only numbers leave.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import NotFound
from classroom.polls.authorisation import require_poll_runner, run_by_code
from classroom.reflection.sealing import Sealer
from classroom.reflection.views import SessionReflectionSummary
from storage.models import (
    Enrolment,
    EnrolmentClashSession,
    EnrolmentStatus,
    LearningOutcome,
    Reflection,
    ReflectionStatus,
    RunSession,
)

MIN_GROUP = 5


async def session_summary(
    session: AsyncSession, aad_object_id: str, run_code: str, position: int, sealer: Sealer
) -> SessionReflectionSummary:
    run = await run_by_code(session, run_code)
    await require_poll_runner(session, run, aad_object_id)  # the run's trainers, coordinators and admins
    run_session = await session.scalar(
        select(RunSession).where(RunSession.run_id == run.id, RunSession.position == position)
    )
    if run_session is None:
        raise NotFound(f"{run.code} has no session {position}")
    count = int(await session.scalar(select(func.count()).where(RunSession.run_id == run.id)) or 0)
    expected = int(
        await session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.run_id == run.id,
                Enrolment.status == EnrolmentStatus.CONFIRMED,
                ~Enrolment.id.in_(
                    select(EnrolmentClashSession.enrolment_id).where(EnrolmentClashSession.session_id == run_session.id)
                ),
            )
        )
        or 0
    )
    done = (
        await session.scalars(
            select(Reflection.sealed_answers).where(
                Reflection.session_id == run_session.id, Reflection.status == ReflectionStatus.DONE
            )
        )
    ).all()
    outcome_counts: tuple[tuple[str, int], ...] | None = None
    if len(done) >= MIN_GROUP:
        marks: Counter[int] = Counter()
        for sealed in done:
            if sealed:
                marks.update(int(i) for i in sealer.open(sealed).get("outcomes", []))
        outcomes = (
            await session.scalars(
                select(LearningOutcome)
                .where(LearningOutcome.course_id == run.course_id)
                .order_by(LearningOutcome.position)
            )
        ).all()
        outcome_counts = tuple((o.text, marks[o.id]) for o in outcomes)
    return SessionReflectionSummary(
        run_code=run.code,
        session_position=run_session.position,
        session_count=count,
        reflected=len(done),
        expected=max(expected, len(done)),
        outcome_counts=outcome_counts,
    )
