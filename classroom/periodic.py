"""Run a periodic job once per period, however many replicas fire it.

Every replica's scheduler fires every periodic job (APScheduler cannot share a job store between processes).
The first to insert the ``(job name, period key)`` row wins; the job then runs in that same transaction, so
its effects (usually outbox rows) and the claim commit together. If the job fails, the claim rolls back with
it and the next firing, here or on another replica, tries the period again. On PostgreSQL a second replica's
insert waits for the first transaction to finish, so it never runs the period twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.errors import InvalidInput
from storage.models import PeriodicJobRun
from storage.upsert import insert_for

PeriodicJob = Callable[[AsyncSession], Awaitable[None]]


async def claim_period(
    session: AsyncSession, job_name: str, period_key: str, *, now: datetime, claimed_by: str = ""
) -> bool:
    """Claim one period of a job in the caller's transaction; True when this caller won it."""
    if not job_name or not period_key:
        raise InvalidInput("a periodic claim needs a job name and a period key")
    statement = (
        insert_for(session, PeriodicJobRun)
        .values(job_name=job_name, period_key=period_key, claimed_by=claimed_by[:64], claimed_at=now)
        .on_conflict_do_nothing(index_elements=["job_name", "period_key"])
        .returning(PeriodicJobRun.job_name)
    )
    return (await session.execute(statement)).first() is not None


async def run_once_per_period(
    session_factory: async_sessionmaker[AsyncSession],
    job_name: str,
    period_key: str,
    job: PeriodicJob,
    *,
    now: datetime,
    claimed_by: str = "",
) -> bool:
    """Run ``job`` for this period unless some replica already has; True when it ran here.

    The job gets the session of the claiming transaction and must not commit it itself.
    """
    async with session_factory.begin() as session:
        if not await claim_period(session, job_name, period_key, now=now, claimed_by=claimed_by):
            return False
        await job(session)
    return True
