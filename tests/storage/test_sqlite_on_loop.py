"""SQLite file engines: statements on the loop thread, one pooled connection, sessions that give it back at once."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool

from classroom.people import assign_roles, roles_of
from storage.engine import POOL_SIZE, create_engine, create_session_factory
from storage.models import Person, Role
from storage.sqlite_on_loop import LoopThreadConnection

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the SQLite case of db_url


@sqlite_only
async def test_every_statement_runs_on_the_loop_thread(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """sqlite3 itself reports each statement's thread: all must be the loop's (guards aiosqlite's _execute)."""
    traced: list[tuple[int, str]] = []

    def trace(statement: str) -> None:
        traced.append((threading.get_ident(), statement))

    @event.listens_for(engine.sync_engine, "connect")
    def _trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.run_async(lambda connection: connection.set_trace_callback(trace))

    async with session_factory.begin() as session:
        await assign_roles(session, "aad-1", [Role.TRAINER], "Megan Bowen")
    async with session_factory() as session:
        assert await roles_of(session, "aad-1") == {Role.TRAINER}

    statements = " ".join(statement for _, statement in traced)
    assert "INSERT" in statements and "SELECT" in statements and "COMMIT" in statements
    assert {thread for thread, _ in traced} == {threading.get_ident()}


@sqlite_only
async def test_a_sqlite_file_engine_has_exactly_one_connection(engine: AsyncEngine) -> None:
    """Pool size 1, no overflow: no statement can wait on a SQLite lock held by another of our connections."""
    pool = engine.pool
    assert isinstance(pool, AsyncAdaptedQueuePool)
    assert pool.size() == 1 and pool._max_overflow == 0


async def test_postgres_and_in_memory_engines_keep_their_pools() -> None:
    """Only SQLite file URLs get the one-connection pool and the loop-thread sessions."""
    postgres = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/unused")  # never connects
    memory = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert postgres.pool.size() == POOL_SIZE
        assert not isinstance(memory.pool, AsyncAdaptedQueuePool) or memory.pool.size() != 1
        for engine in (postgres, memory):
            assert type(create_session_factory(engine)) is async_sessionmaker
    finally:
        await postgres.dispose()
        await memory.dispose()


@sqlite_only
async def test_a_session_block_returns_the_connection_as_it_ends(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """``async with session_factory()`` gives the connection back before any other task can see it held."""
    seen_by_others: list[int] = []
    async with session_factory() as session:
        await session.execute(select(1))
        assert engine.pool.checkedout() == 1
        asyncio.get_running_loop().call_soon(lambda: seen_by_others.append(engine.pool.checkedout()))
    assert engine.pool.checkedout() == 0
    await asyncio.sleep(0)  # let the callback run, if it has not already
    assert seen_by_others == [0]  # stock AsyncSession closes in a task of its own: the callback would see 1


@sqlite_only
async def test_a_begin_block_commits_and_returns_the_connection_as_it_ends(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """``session_factory.begin()`` commits and gives the connection back before any other task can see it held."""
    seen_by_others: list[int] = []
    async with session_factory.begin() as session:
        await assign_roles(session, "aad-1", [Role.COORDINATOR], "Adele Vance")
        asyncio.get_running_loop().call_soon(lambda: seen_by_others.append(engine.pool.checkedout()))
    assert engine.pool.checkedout() == 0
    await asyncio.sleep(0)
    assert seen_by_others == [0]
    async with session_factory() as session:
        assert await roles_of(session, "aad-1") == {Role.COORDINATOR}


@sqlite_only
async def test_an_exception_in_a_begin_block_rolls_back(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """A failing ``begin()`` block writes nothing and still hands the connection back."""
    with pytest.raises(RuntimeError, match="boom"):
        async with session_factory.begin() as session:
            await assign_roles(session, "aad-1", [Role.COORDINATOR], "Adele Vance")
            raise RuntimeError("boom")
    assert engine.pool.checkedout() == 0
    async with session_factory() as session:
        assert await session.scalar(select(Person)) is None


@sqlite_only
async def test_concurrent_writing_sessions_take_turns(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Two tasks writing at once share the one connection without deadlocking the loop or 'database is locked'."""

    async def write(aad_object_id: str) -> None:
        async with session_factory.begin() as session:
            await assign_roles(session, aad_object_id, [Role.TRAINER], aad_object_id)
            await asyncio.sleep(0.01)  # hold the transaction open while the other task starts

    await asyncio.wait_for(asyncio.gather(write("aad-1"), write("aad-2")), timeout=10)
    async with session_factory() as session:
        assert await roles_of(session, "aad-1") == await roles_of(session, "aad-2") == {Role.TRAINER}


@sqlite_only
async def test_statements_commits_and_rollbacks_call_sqlite3_directly(
    session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No statement, fetch, commit or rollback goes through aiosqlite's coroutines (LoopThreadDBAPI's cursors)."""
    through_aiosqlite: list[str] = []
    passing = LoopThreadConnection._execute

    async def counted(self: LoopThreadConnection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        through_aiosqlite.append(getattr(fn, "__name__", repr(fn)))
        return await passing(self, fn, *args, **kwargs)

    async with session_factory() as session:
        await session.execute(select(Person.id))  # the pool's connection made (and its pragmas set) beforehand
    monkeypatch.setattr(LoopThreadConnection, "_execute", counted)

    async with session_factory.begin() as session:
        await assign_roles(session, "aad-1", [Role.TRAINER], "Megan Bowen")
    async with session_factory() as session:
        assert await roles_of(session, "aad-1") == {Role.TRAINER}
        await session.rollback()

    assert through_aiosqlite == []


@sqlite_only
async def test_a_connection_closed_under_the_pool_is_replaced(engine: AsyncEngine) -> None:
    """A driver connection found closed is a disconnect: SQLAlchemy drops it and the next checkout opens another."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        await raw.driver_connection.close()
        with pytest.raises(OperationalError, match="no active connection") as raised:
            await connection.execute(select(1))
        assert raised.value.connection_invalidated
    async with engine.connect() as connection:
        assert (await connection.execute(select(1))).scalar() == 1
