"""A run's polls and their results, after the session: for the run's trainers and coordinators only.

Someone else asking gets exactly what they would get for a run or poll that does not exist (``NotFound``), so
asking cannot tell anyone which runs or polls there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import NotFound
from classroom.polls.authorisation import may_run_polls, run_by_code, run_by_id
from classroom.polls.views import Audience, PollView, poll_view
from storage.models import Course, CourseRun, Poll

MAX_LISTED = 20  # the most recent polls of a run shown at once (a card stays well under Teams' size limit)


@dataclass(frozen=True)
class RunPolls:
    run_code: str
    course_title: str
    polls: list[PollView]  # newest first, at most MAX_LISTED
    total: int  # how many polls the run has


async def entitled_run(session: AsyncSession, run: CourseRun | None, aad_object_id: str | None) -> CourseRun:
    """``run`` if the caller may see its polls' answers; NotFound otherwise (the same as no such run)."""
    if run is None or not await may_run_polls(session, run, aad_object_id):
        raise NotFound("no such run, or not yours to see")
    return run


async def run_polls(session: AsyncSession, run_code: str, aad_object_id: str | None) -> RunPolls:
    try:
        found: CourseRun | None = await run_by_code(session, run_code)
    except NotFound:
        found = None
    run = await entitled_run(session, found, aad_object_id)
    polls = list(
        await session.scalars(select(Poll).where(Poll.run_id == run.id).order_by(Poll.id.desc()).limit(MAX_LISTED))
    )
    total = await session.scalar(select(func.count()).select_from(Poll).where(Poll.run_id == run.id)) or 0
    course = await session.get(Course, run.course_id)
    views = [await poll_view(session, poll, run.code, Audience.RUNNER) for poll in polls]
    return RunPolls(run.code, course.title if course else "", views, total)


async def poll_results(session: AsyncSession, poll_id: int, aad_object_id: str | None) -> PollView:
    poll = await session.get(Poll, poll_id)
    run = await run_by_id(session, poll.run_id) if poll is not None else None
    await entitled_run(session, run, aad_object_id)
    assert poll is not None and run is not None
    return await poll_view(session, poll, run.code, Audience.RUNNER)  # the run's own: every result
