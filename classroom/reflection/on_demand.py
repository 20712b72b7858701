"""``reflect`` in a session's chat: the trainer sends the prompt now, to each participant's 1:1 chat (never to
the group). It is the planned prompt brought forward under the same key, so nobody gets it twice: whoever was
already prompted for this session gets nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from classroom.errors import NotFound
from classroom.polls.authorisation import require_poll_runner, run_by_id
from classroom.reflection.planning import cancel_prompts, plan_prompt
from classroom.reflection.policy import ReflectionTiming
from storage.models import ChatRunLink, Enrolment, EnrolmentStatus, RunSession


@dataclass(frozen=True)
class PromptsSent:
    run_code: str
    session_position: int
    session_count: int
    prompted: int  # participants prompted now
    already: int  # participants who already had this session's prompt


async def prompt_now(
    session: AsyncSession, conversation_id: str, aad_object_id: str, *, now: datetime, timing: ReflectionTiming
) -> PromptsSent:
    """Prompt every confirmed participant of the linked run about its latest session that has begun."""
    run_id = await session.scalar(select(ChatRunLink.run_id).where(ChatRunLink.conversation_id == conversation_id))
    if run_id is None:
        raise NotFound("this chat is not linked to a course run")
    run = await run_by_id(session, run_id)
    await require_poll_runner(session, run, aad_object_id)
    sessions = (
        await session.scalars(select(RunSession).where(RunSession.run_id == run.id).order_by(RunSession.starts_at))
    ).all()
    begun = [s for s in sessions if s.starts_at <= now]
    if not begun:
        raise NotFound(f"no session of {run.code} has begun yet")
    current = begun[-1]
    enrolments = (
        await session.scalars(
            select(Enrolment)
            .where(Enrolment.run_id == run.id, Enrolment.status == EnrolmentStatus.CONFIRMED)
            .options(joinedload(Enrolment.person), selectinload(Enrolment.clash_sessions))
        )
    ).all()
    prompted = already = 0
    for enrolment in enrolments:
        if any(missed.id == current.id for missed in enrolment.clash_sessions):
            continue  # they told us they would miss it
        await cancel_prompts(session, enrolment.id, current.id)  # the planned one, brought forward
        queued = await plan_prompt(
            session,
            enrolment_id=enrolment.id,
            course_id=run.course_id,
            run_code=run.code,
            run_session=current,
            session_count=len(sessions),
            recipient=enrolment.person.aad_object_id,
            now=now,
            timing=timing,
            due_at=now,
        )
        if queued:
            prompted += 1
        else:
            already += 1
    return PromptsSent(run.code, current.position, len(sessions), prompted, already)
