"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.sqlite_on_loop import LoopThreadSession, LoopThreadSessionMaker, loop_thread_creator


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_file(url: str | URL) -> str | None:
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
    PostgreSQL: pre-ping so a restarted server does not fail the next turn.
    """
    if is_sqlite(url):
        database = _sqlite_file(url)
        if database is not None:
            kwargs.setdefault("async_creator", loop_thread_creator(database, **kwargs.pop("connect_args", {})))
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
        else:
            kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, **kwargs)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: services hand loaded objects to dialogs after the transaction ends.
    if _sqlite_file(engine.url) is not None:  # one connection: see storage/sqlite_on_loop.py
        return LoopThreadSessionMaker(engine, class_=LoopThreadSession, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False)
