"""Two transactions racing on PostgreSQL, in a set order: the first holds its locks until the second waits for them.

SQLite runs one transaction at a time, so it has no race to lose: race tests skip it (:func:`postgres_only`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

Unit = Callable[[AsyncSession], Awaitable[Any]]


def postgres_only(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one transaction at a time: there is no race to lose")


async def someone_waits_for_a_lock(engine: AsyncEngine) -> None:
    # Another backend waiting on a lock shows in pg_locks; there is no event to await across connections.
    async with engine.connect() as connection:
        waiting = text("SELECT count(*) FROM pg_locks WHERE NOT granted")
        while not await connection.scalar(waiting):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def race(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    first: Unit,
    second: Unit,
    *,
    second_factory: async_sessionmaker[AsyncSession] | None = None,
) -> tuple[Any, Any]:
    """``second`` in its own transaction (from ``second_factory``: another process's, say) while ``first``'s is
    still open; ``first`` commits once ``second`` waits for it. Returns (what ``first`` returned, what ``second``
    returned or raised)."""

    async def run_second() -> Any:
        async with (second_factory or session_factory).begin() as session:
            return await second(session)

    async with session_factory.begin() as session:
        done = await first(session)
        racer = asyncio.create_task(run_second())
        await asyncio.wait_for(someone_waits_for_a_lock(engine), 30)
    return done, (await asyncio.gather(racer, return_exceptions=True))[0]
