"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import json_text
from storage.compiled_cache import find_compiled_by_identity_first
from storage.sqlite_on_loop import LoopThreadDBAPI, LoopThreadSession, LoopThreadSessionMaker, loop_thread_creator


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str | URL) -> str | None:
    """The database file of a plain SQLite file URL; None for other databases, in-memory or URI-style ones."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or parsed.query:
        return None
    return database


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Build the async engine with settings that keep each backend safe under concurrency.

    SQLite file: one connection whose statements run on the event loop's thread (see
    ``storage/sqlite_on_loop.py``), foreign keys on, WAL so the CLI can read while the bot writes.
    PostgreSQL: a pool of ``POOL_SIZE`` connections kept open, with no overflow (see ``POOL_SIZE``), the one given
    back last taken first; a connection
    idle for ``ping_after_idle`` seconds is pinged when taken from the pool, so a restarted server does not fail
    the next turn (see :func:`_ping_when_idle`).
    """
    kwargs.setdefault("json_serializer", json_text.dumps)  # JSON columns written with orjson
    if is_sqlite(url):
        database = sqlite_file(url)
        if database is not None:
            kwargs.setdefault("async_creator", loop_thread_creator(database, **kwargs.pop("connect_args", {})))
            kwargs.setdefault("module", LoopThreadDBAPI())
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
        else:
            kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)
        find_compiled_by_identity_first(engine.sync_engine)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    ping_after_idle = kwargs.pop("ping_after_idle", PING_AFTER_IDLE)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", 0)
    # Last in, first out: under light load the connection given back last is taken again, so the others stay idle
    # (and are pinged only when a burst needs them); first in, first out would cycle through all of them, each idle
    # long enough to be pinged at every checkout.
    kwargs.setdefault("pool_use_lifo", True)
    engine = create_async_engine(url, **kwargs)
    find_compiled_by_identity_first(engine.sync_engine)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine, ping_after_idle)
    return engine


# PostgreSQL connections per process, all kept open once opened; a turn beyond them waits for one (a turn holds one
# for a statement or a short transaction). The pool was 10 plus 10 "overflow" connections, the same 20 at most,
# but SQLAlchemy closes an overflow connection as soon as it is returned while the pool is full: under a burst
# (32 turns at once in benchmarks/turns.py) about one turn in six opened a connection (TLS attempt, start-up,
# asyncpg's type set-up, every statement prepared again) and closed it, a third of a course card turn's CPU.
POOL_SIZE = 20

# A server restart takes longer than this, so every connection that was in the pool when it went down has been
# idle at least this long when it is next taken, and is pinged first.
PING_AFTER_IDLE = 1.0


def _ping_when_idle(engine: AsyncEngine, after: float) -> None:
    """``pool_pre_ping``'s protection at a fraction of its cost.

    ``pool_pre_ping`` pings on every checkout, and asyncpg's ping is three round trips (begin, a statement,
    rollback): under load, most of a short turn's time on PostgreSQL. A connection given back moments ago was
    working moments ago, so only one idle for ``after`` seconds is pinged. A failed ping tells the pool the
    connection is dead; the pool then drops every connection as old as it and hands out a fresh one.
    """
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < after:
            return  # new, or working a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("the database connection was lost while idle") from error


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: services hand loaded objects to dialogs after the transaction ends.
    if sqlite_file(engine.url) is not None:  # one connection: see storage/sqlite_on_loop.py
        return LoopThreadSessionMaker(engine, class_=LoopThreadSession, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False)
