"""Serialise changes to one run's places: the lock every enrolment change takes before it counts places.

PostgreSQL locks the run's row (``SELECT … FOR UPDATE``): a second transaction changing the same run waits
until the first commits, then counts again and sees its seat. SQLite has one writer at a time and no row
locks; a no-op write to the run takes that write lock for the rest of the transaction, so the count that
follows cannot be overtaken. (The pysqlite driver starts the transaction at the first write, so no read
taken earlier can go stale and turn the lock into a "busy snapshot" error.)
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import NotFound
from storage.models import CourseRun


async def lock_run(session: AsyncSession, run_id: int) -> None:
    """Take the run's lock in the caller's transaction (held until it commits or rolls back)."""
    if session.get_bind().dialect.name == "postgresql":
        found = await session.scalar(select(CourseRun.id).where(CourseRun.id == run_id).with_for_update())
    else:
        result = await session.execute(
            update(CourseRun)
            .where(CourseRun.id == run_id)
            .values(capacity=CourseRun.capacity)
            .execution_options(synchronize_session=False)
        )
        found = run_id if result.rowcount else None  # type: ignore[attr-defined]
    if found is None:
        raise NotFound(f"no run with id {run_id}")
