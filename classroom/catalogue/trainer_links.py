"""Linking a run's trainers to people in Teams (``link trainer``), beside the catalogue import: both write
``run_trainers`` and both live in this package.

A trainer linked in Teams is added after the file's trainers, marked ``linked_in_teams``, so a later import keeps
them. Unlinking a trainer the file lists only forgets their Teams account (the file names them still, and an import
that gives their Entra object id links them again); unlinking one linked in Teams removes them from the run.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from classroom.errors import NotFound
from storage.models import Course, CourseRun, Person, RunTrainer

MAX_CODE = 48


def normalise_code(code: str) -> str:
    return code.strip().upper()[:MAX_CODE]


async def runs_named(session: AsyncSession, code: str) -> list[CourseRun]:
    """The runs a code names (a run code, or every run of a course by its code), with their trainers, by code.

    Raises:
        NotFound: no run or course has this code.
    """
    normalised = normalise_code(code)
    runs = (
        await session.scalars(
            select(CourseRun)
            .join(CourseRun.course)
            .where(or_(CourseRun.code == normalised, Course.code == normalised))
            .options(joinedload(CourseRun.course), selectinload(CourseRun.trainers))
            .order_by(CourseRun.code)
            .execution_options(populate_existing=True)
        )
    ).all()
    if not runs:
        raise NotFound(f"no course or run with code {normalised}")
    return list(runs)


async def link_trainer(session: AsyncSession, run: CourseRun, person: Person) -> bool:
    """Make ``person`` a trainer of ``run``; False when they already were."""
    if any(trainer.person_id == person.id for trainer in run.trainers):
        return False
    position = max((trainer.position for trainer in run.trainers), default=0) + 1
    run.trainers.append(
        RunTrainer(position=position, name=person.name or "Trainer", person_id=person.id, linked_in_teams=True)
    )
    await session.flush()
    return True


async def unlink_trainer(session: AsyncSession, run: CourseRun, person: Person) -> bool:
    """``person`` no longer trains ``run``; False when they did not."""
    mine = [trainer for trainer in run.trainers if trainer.person_id == person.id]
    if not mine:
        return False
    for trainer in mine:
        if trainer.linked_in_teams:
            run.trainers.remove(trainer)
        else:
            trainer.person_id = None
    await session.flush()
    # Close the gaps, lowest first, so each trainer moves to a position already freed.
    for position, trainer in enumerate(sorted(run.trainers, key=lambda t: t.position), start=1):
        if trainer.position != position:
            trainer.position = position
            await session.flush()
    return True
