"""Who may link a chat to a run and launch or close its polls: the run's trainers (by the stored trainer link to
their person) and coordinators or admins, decided from the caller's Entra object id and stored roles only.

In a meeting chat launching and closing also need the meeting's Organizer or Presenter role, asked of Teams at
that moment: the dialogs check it (``dialogs/polls/meeting_role.py``) before calling the service.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from classroom.errors import NotAllowed, NotFound
from classroom.people import find_person
from storage.models import CourseRun, Role

OVERSEER_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


async def run_by_code(session: AsyncSession, code: str) -> CourseRun:
    run = await session.scalar(
        select(CourseRun).where(CourseRun.code == code.strip().upper()).options(selectinload(CourseRun.trainers))
    )
    if run is None:
        raise NotFound(f"no run {code}")
    return run


async def run_by_id(session: AsyncSession, run_id: int) -> CourseRun:
    run = await session.scalar(
        select(CourseRun).where(CourseRun.id == run_id).options(selectinload(CourseRun.trainers))
    )
    if run is None:
        raise NotFound(f"no run with id {run_id}")
    return run


async def may_run_polls(session: AsyncSession, run: CourseRun, aad_object_id: str | None) -> bool:
    if not aad_object_id:
        return False
    person = await find_person(session, aad_object_id)
    if person is None:
        return False
    return bool(person.role_set & OVERSEER_ROLES) or any(t.person_id == person.id for t in run.trainers)


async def require_poll_runner(session: AsyncSession, run: CourseRun, aad_object_id: str | None) -> None:
    if not await may_run_polls(session, run, aad_object_id):
        raise NotAllowed(f"only the trainers of {run.code} and coordinators can do this")
