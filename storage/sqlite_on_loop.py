"""SQLite statements run on the event loop's own thread, through one connection per process.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a worker thread and back. For this
bot's statements, indexed look-ups on a local file that take tens of microseconds, each hand-over costs
several times more than the statement, and a turn makes a dozen of them: on a message turn that was most
of the CPU time. So calls run at once on the loop's thread instead, still through aiosqlite's API, so
SQLAlchemy's aiosqlite dialect works unchanged.

Three rules, each enforced here, make that safe:

* **One connection per engine** (``pool_size=1``, no overflow). SQLite admits one writer at a time anyway;
  with a single connection no statement of ours can ever wait on SQLite's lock held by another of our own
  connections, which would block the loop. A second session waits for the connection in the pool, without
  blocking the loop, while the first one finishes.
* **Sessions hand the connection back as their block ends.** ``AsyncSession`` closes (and, for
  ``session_factory.begin()``, commits) in a task of its own, so a cancellation cannot abandon that work
  halfway; the connection then stays checked out until the loop gets round to the task, and with one
  connection every other turn would queue behind it. Here nothing waits, so nothing can be cancelled
  halfway: :class:`LoopThreadSession` and :class:`LoopThreadSessionMaker` finish on the spot.
* A **short busy timeout** for the rare lock held by another process (``classroom-bot catalogue import``
  while the bot runs, one short transaction): a write of the bot waits for it on the loop, so every turn
  waits too, at most that long; then the statement fails and is reported.

Several bot processes on one database is what PostgreSQL is for (see README).

aiosqlite 0.22 (pinned) routes every call through ``Connection._execute``; ``tests/storage/test_sqlite_on_loop.py``
fails loudly if a new release changes that.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

#: Longest a statement waits for a write lock another *process* holds, in seconds.
BUSY_TIMEOUT_SECONDS = 5.0


class LoopThreadConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run immediately on the calling (event loop) thread.

    aiosqlite still opens the sqlite3 connection on its worker thread, which then idles until the connection
    closes; ``check_same_thread=False`` lets the loop thread use a connection opened there.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def loop_thread_creator(database: str, **connect_args: Any) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """An ``async_creator`` for ``create_async_engine``: opens ``database`` as a :class:`LoopThreadConnection`."""
    options = {"timeout": BUSY_TIMEOUT_SECONDS, **connect_args, "check_same_thread": False}
    # Autocommit outside transactions as with plain aiosqlite: SQLAlchemy manages BEGIN/COMMIT.
    connector = partial(sqlite3.connect, database, **options)

    async def create() -> aiosqlite.Connection:
        connection = LoopThreadConnection(connector, iter_chunk_size=64)
        connection._thread.daemon = True
        return await connection

    return create


class LoopThreadSession(AsyncSession):
    """An ``AsyncSession`` that closes as its ``async with`` block ends (see the module's notes)."""

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        await self.close()


class LoopThreadSessionMaker(async_sessionmaker[AsyncSession]):
    """Makes :class:`LoopThreadSession`; ``begin()`` commits (or rolls back) and closes on the spot."""

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:  # type: ignore[override]
        session = self()
        try:
            async with session.begin():
                yield session
        finally:
            await session.close()
