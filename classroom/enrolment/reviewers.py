"""Who hears about a run's clashes and moves: its trainers linked to a Teams account, else the coordinators."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from storage.models import CourseRun, Person, PersonRole, Role

# Whom to tell, not what they may do: their roles are not read (``loading.load_actor`` reads them).
_WITHOUT_ROLES = lazyload(Person.roles)


async def linked_trainers(session: AsyncSession, run: CourseRun) -> list[Person]:
    """The run's trainers we can reach (a trainer known only by name from the catalogue cannot be messaged)."""
    trainer_ids = {t.person_id for t in run.trainers if t.person_id is not None}
    if not trainer_ids:
        return []
    return list(
        (
            await session.scalars(
                select(Person).where(Person.id.in_(trainer_ids)).order_by(Person.id).options(_WITHOUT_ROLES)
            )
        ).all()
    )


async def clash_reviewers(session: AsyncSession, run: CourseRun) -> list[Person]:
    """Who decides the run's clashes: its linked trainers, or the coordinators when none is linked."""
    trainers = await linked_trainers(session, run)
    if trainers:
        return trainers
    coordinators = select(Person).join(PersonRole).where(PersonRole.role == Role.COORDINATOR).distinct()
    return list((await session.scalars(coordinators.order_by(Person.id).options(_WITHOUT_ROLES))).all())
