"""Work on a plain connection (``in_transaction_on``) marks its transaction as a session's unit marks ``session.info``:
the after-commit listeners see the marks once it committed, with what it wrote visible, and never after a rollback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.transactions import (
    after_commit_of_marks,
    in_transaction_on,
    mark_transaction,
    on_session_connection,
)
from storage.models import ActivityReceipt

EXPIRES = datetime(2030, 1, 1, tzinfo=UTC)
Seen = list[tuple[dict[str, bool], list[str]]]


def _claim(key: str, *, mark: bool = True):  # type: ignore[no-untyped-def]
    def work(connection: Connection) -> str:
        connection.execute(insert(ActivityReceipt.__table__).values(key=key, expires_at=EXPIRES))
        if mark:
            mark_transaction(connection, "test.mark")
        return key

    return work


def _keys(connection: Connection) -> list[str]:
    return sorted(connection.execute(select(ActivityReceipt.key)).scalars())


@pytest.fixture
def seen(session_factory: async_sessionmaker[AsyncSession]) -> Iterator[Seen]:
    """What each listener call got: the marks, and the keys a new connection sees at that moment."""
    calls: Seen = []
    engine = session_factory.kw["bind"].sync_engine

    def listener(marks: dict[str, bool]) -> None:
        with engine.connect() as other:
            calls.append((dict(marks), _keys(other)))

    stop = after_commit_of_marks(listener)
    yield calls
    stop()


async def test_the_listeners_get_the_marks_once_the_work_committed(session_factory, seen: Seen) -> None:
    assert await in_transaction_on(session_factory, _claim("a")) == "a"
    assert seen == [({"test.mark": True}, ["a"])]  # after the commit: what it wrote is there for others to see


async def test_work_that_marks_nothing_calls_no_listener(session_factory, seen: Seen) -> None:
    await in_transaction_on(session_factory, _claim("a", mark=False))
    assert seen == []


async def test_work_that_fails_after_marking_calls_no_listener_and_leaves_no_mark(session_factory, seen: Seen) -> None:
    def failing(connection: Connection) -> None:
        _claim("gone")(connection)
        raise RuntimeError("after marking")

    with pytest.raises(RuntimeError):
        await in_transaction_on(session_factory, failing)
    assert seen == []
    await in_transaction_on(session_factory, _claim("b", mark=False))  # the same pooled connection, maybe
    assert seen == []  # the failed work's mark went with its transaction


async def test_a_transaction_whose_commit_fails_calls_no_listener(session_factory, seen: Seen) -> None:
    engine = session_factory.kw["bind"].sync_engine

    def refuse(_connection: Connection) -> None:
        raise RuntimeError("the commit failed")

    event.listen(engine, "commit", refuse)
    try:
        with pytest.raises(RuntimeError, match="commit failed"):
            await in_transaction_on(session_factory, _claim("a"))
    finally:
        event.remove(engine, "commit", refuse)
    assert seen == []
    async with session_factory() as session:
        assert await session.run_sync(lambda synchronous: _keys(synchronous.connection())) == []


async def test_marking_outside_such_a_transaction_is_refused(session_factory) -> None:
    """A mark nobody would ever read (a session's connection used directly) is a mistake to catch at once."""
    async with session_factory.begin() as session:
        connection = await session.connection()
        with pytest.raises(RuntimeError, match="outside"):
            await connection.run_sync(lambda synchronous: mark_transaction(synchronous, "test.mark"))


async def test_on_a_sessions_connection_the_marks_go_to_the_session(session_factory, seen: Seen) -> None:
    """``on_session_connection``: the session's commit listeners (``session.info``) take the marks, as for its own
    statements; the listeners of plain transactions are not called."""
    async with session_factory.begin() as session:
        assert await on_session_connection(session, _claim("a")) == "a"
        assert session.info.get("test.mark") is True
        session.info.pop("test.mark")
    assert seen == []
