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

SQLAlchemy's aiosqlite dialect reaches the driver through awaitables: every cursor made, statement, fetch, close
and commit is a switch out of SQLAlchemy's greenlet to the event loop's and back, and a pass through aiosqlite's
coroutines, though each call here finishes at once: four hand-overs a statement (cursor, enter, execute and fetch,
close) and one a commit. :class:`LoopThreadDBAPI` (``create_engine(module=...)``) gives the dialect connections
whose cursors, commits and rollbacks call sqlite3 directly instead: one hand-over a statement (SQLAlchemy insists on
one), none a commit, the same calls on the same thread; about 25 us less a statement, 8-11% of a card or install
turn's CPU in ``benchmarks/turns.py``.

aiosqlite 0.22 (pinned) routes every call through ``Connection._execute``; ``tests/storage/test_sqlite_on_loop.py``
fails loudly if a new release changes that.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, cast

import aiosqlite
from sqlalchemy import Connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.util.concurrency import await_

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


async def _done() -> None:
    """An awaitable that finishes at once."""


class _DirectCursor(AsyncAdapt_aiosqlite_cursor):
    """The dialect's cursor over a sqlite3 cursor, called directly (see the module's notes)."""

    __slots__ = ()
    _awaitable_cursor_close = False  # sqlite3's close is a plain call

    def _make_new_cursor(self, connection: Any) -> Any:
        try:
            return connection._conn.cursor()  # connection: a LoopThreadConnection, _conn its sqlite3 connection
        except ValueError as error:  # aiosqlite's "no active connection": the dialect's disconnect error, as before
            self._adapt_connection._handle_exception(error)

    def _aenter_cursor(self, cursor: Any) -> Any:
        # SQLAlchemy's async API checks that each statement awaited the driver at least once (its guard against a
        # synchronous driver): making the cursor is that one hand-over, its calls then run directly.
        await_(_done())
        return cursor

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        # sqlite3's errors pass as they are: the dialect's DBAPI module names sqlite3's own exception classes.
        cursor = cast(sqlite3.Cursor, self._cursor)
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            self._rows = collections.deque(cursor.fetchall())
        return cursor

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return cast(sqlite3.Cursor, self._cursor).executemany(operation, seq_of_parameters)


class _DirectConnection(AsyncAdapt_aiosqlite_connection):
    """The dialect's connection, its cursors, commits and rollbacks sqlite3's own calls (see the module's notes)."""

    __slots__ = ()
    _cursor_cls = _DirectCursor

    def commit(self) -> None:
        self._finish(sqlite3.Connection.commit)

    def rollback(self) -> None:
        self._finish(sqlite3.Connection.rollback)

    def _finish(self, end: Callable[[sqlite3.Connection], None]) -> None:
        connection = self.sqlite3_connection  # None once closed: nothing to end, as the dialect's own
        if connection is not None:
            end(connection)

    @property
    def sqlite3_connection(self) -> sqlite3.Connection | None:
        """The sqlite3 connection underneath (None once closed)."""
        return cast(sqlite3.Connection | None, self._connection._connection)


def loop_thread_sqlite(connection: Connection) -> sqlite3.Connection | None:
    """The sqlite3 connection under ``connection`` when it is a :class:`LoopThreadDBAPI` one, to call on the loop's
    thread as its cursors do (``storage/direct_statements.py``); None for any other (PostgreSQL, say) or a closed
    one."""
    dbapi_connection = connection.connection.dbapi_connection
    return dbapi_connection.sqlite3_connection if isinstance(dbapi_connection, _DirectConnection) else None


class LoopThreadDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite dialect's DBAPI module, connecting with :class:`_DirectConnection` (see the module's notes).
    For connections made by :func:`loop_thread_creator` only: they run on the loop's thread."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        if not isinstance(adapted._connection, LoopThreadConnection):
            raise TypeError("LoopThreadDBAPI connects only through loop_thread_creator")
        return _DirectConnection(self, adapted._connection)


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
