"""One transaction per service call, repeated when the database reports a transient conflict.

A conflict (SQLite busy or locked, a PostgreSQL deadlock or serialisation failure) means the transaction was
rolled back and nothing of it was kept, so running the whole unit again is safe and gives the same answer the
request would have had a moment later. Units must therefore touch only the database. Every service runs its
transactions through :func:`in_transaction`; reads use it too (or :func:`in_read`, the same on a plain connection
for the busiest reads), so a read that meets a locked SQLite file waits and retries like a write.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.util import greenlet_spawn
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from classroom.errors import TryAgain

log = logging.getLogger(__name__)

T = TypeVar("T")
SessionFactory = async_sessionmaker[AsyncSession]
Unit = Callable[[AsyncSession], Awaitable[T]]
Read = Callable[[AsyncConnection], Awaitable[T]]

SQLITE_BUSY, SQLITE_LOCKED = 5, 6
POSTGRES_RETRYABLE = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
DEFAULT_ATTEMPTS = 8
# Backoff before attempt n + 1: a random wait up to FIRST_WAIT * 2 ** (n - 1) seconds, at most LONGEST_WAIT.
FIRST_WAIT, LONGEST_WAIT = 0.01, 2.0
BUSY = "the database is busy; please try again in a moment"


def is_transient(error: BaseException) -> bool:
    """True for errors that mean "another transaction was in the way; nothing was written"."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    code = getattr(original, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED):
        return True
    if getattr(original, "sqlstate", None) in POSTGRES_RETRYABLE:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database table is locked" in message


def read_sessions(session_factory: SessionFactory) -> SessionFactory:
    """Sessions for units that only read. On PostgreSQL each statement commits on its own (AUTOCOMMIT), which spares
    a turn two round trips (BEGIN, COMMIT) and changes nothing it sees: at READ COMMITTED, the level the bot runs
    at, the statements of one transaction share no snapshot anyway. Elsewhere (SQLite, where a transaction is a
    snapshot) the usual sessions."""
    bind = session_factory.kw.get("bind")
    if type(session_factory) is not async_sessionmaker or not isinstance(bind, AsyncEngine):
        return session_factory
    if bind.dialect.name != "postgresql" or bind.get_execution_options().get("isolation_level") not in (
        None,
        "READ COMMITTED",
    ):
        return session_factory
    options = {name: value for name, value in session_factory.kw.items() if name != "bind"}
    return async_sessionmaker(bind.execution_options(isolation_level="AUTOCOMMIT"), **options)


def _log_conflict(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.info("transient database conflict (attempt %d): %s", state.attempt_number + 1, error)


async def in_transaction(
    session_factory: SessionFactory,
    unit: Unit[T],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    commit_on: tuple[type[Exception], ...] = (),
) -> T:
    """Run ``unit(session)`` in a transaction that commits when it returns; retry it on transient conflicts.

    An exception in ``commit_on`` (a refusal the unit decided on) commits the transaction, then is raised.
    Retries back off exponentially with full jitter, so the transactions that collided do not collide again.

    Raises:
        TryAgain: still conflicting after ``attempts`` tries (nothing was changed).
    """
    return await _retrying(partial(_once, session_factory, unit, commit_on), attempts)


async def in_read(session_factory: SessionFactory, read: Read[T], *, attempts: int = DEFAULT_ATTEMPTS) -> T:
    """Run ``read(connection)`` on one of the engine's pooled connections, with no ORM session; retried as
    :func:`in_transaction` retries.

    For the busiest reads, whose rows are Core rows and which need no entity: an ORM session (its transaction,
    identity map and their bookkeeping) cost more CPU than the statement. The connection is the one sessions of
    ``session_factory`` would get (on PostgreSQL, from :func:`read_sessions`: each statement commits on its own);
    nothing is committed at the end, since nothing was written. A factory bound to something other than an
    engine (a test's connection) gets a session's connection instead.
    """
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        return await in_transaction(
            session_factory, lambda session: _on_session_connection(session, read), attempts=attempts
        )
    return await _retrying(partial(_read_once, bind, read), attempts)


async def in_read_on(
    session_factory: SessionFactory, read: Callable[[Connection], T], *, attempts: int = DEFAULT_ATTEMPTS
) -> T:
    """:func:`in_read` of synchronous code: ``read(connection)`` runs whole in one greenlet (checking the connection
    out, its statements, handing it back), where an async read hands over to the driver once per call (three
    greenlets for a one-statement read: connect, execute, close)."""
    return await _synchronously(session_factory, _read_on, read, attempts)


def _read_on(engine: Engine, read: Callable[[Connection], T]) -> T:
    with engine.connect() as connection:
        return read(connection)


async def in_transaction_on(
    session_factory: SessionFactory, work: Callable[[Connection], T], *, attempts: int = DEFAULT_ATTEMPTS
) -> T:
    """:func:`in_transaction` of synchronous code that needs no ORM session: ``work(connection)`` runs whole in one
    greenlet on one of the engine's pooled connections, in a transaction that commits when it returns (checking the
    connection out, its statements, the commit), where an async unit hands over to the driver once per call. It
    may mark its transaction (:func:`mark_transaction`, as a session's unit sets ``session.info``): once it has
    committed, the listeners of :func:`after_commit_of_marks` get the marks (the outbox dispatchers are woken so)."""
    return await _synchronously(session_factory, _transaction_on, work, attempts)


async def _synchronously(
    session_factory: SessionFactory,
    on_engine: Callable[[Engine, Callable[[Connection], T]], T],
    work: Callable[[Connection], T],
    attempts: int,
) -> T:
    """``on_engine(engine, work)`` in one greenlet, retried as :func:`in_transaction` is; a factory not bound to an
    engine (a test's connection) runs ``work`` in a session's transaction instead."""
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        return await in_transaction(
            session_factory, lambda session: on_session_connection(session, work), attempts=attempts
        )
    return await _retrying(partial(greenlet_spawn, on_engine, bind.sync_engine, work), attempts)


async def on_session_connection(session: AsyncSession, work: Callable[[Connection], T]) -> T:
    """``work(connection)`` from synchronous code (``run_sync``) on the connection of ``session``'s transaction, the
    marks it sets (:func:`mark_transaction`) carried into ``session.info``, where the session's commit listeners see
    them (and a rollback drops them)."""
    return await session.run_sync(_on_session, work)


def mark_transaction(connection: Connection, key: str) -> None:
    """Mark the transaction that ``work(connection)`` of :func:`in_transaction_on` (or :func:`on_session_connection`)
    runs in, as a session's unit marks ``session.info[key]``: once it commits (never before, never after a
    rollback) the listeners of :func:`after_commit_of_marks` see ``key``.

    Raises:
        RuntimeError: ``connection`` is not in such a transaction (a mark nothing would ever read).
    """
    marks = connection.info.get(_MARKS)
    if marks is None:
        raise RuntimeError("mark_transaction outside in_transaction_on or on_session_connection")
    marks[key] = True


def after_commit_of_marks(listener: Callable[[Mapping[str, bool]], None]) -> Callable[[], None]:
    """Call ``listener(marks)`` after each transaction of :func:`in_transaction_on` that committed with marks (a
    session's are its ``info``: SQLAlchemy's ``after_commit`` session event); returns a function that stops it."""
    _mark_listeners.append(listener)

    def remove() -> None:
        if listener in _mark_listeners:
            _mark_listeners.remove(listener)

    return remove


# What in_transaction_on's work marked, on its connection's info (the pooled DBAPI connection's, kept across
# checkouts: set for the work only, and removed whatever happens).
_MARKS = "classroom.transactions.marks"
_mark_listeners: list[Callable[[Mapping[str, bool]], None]] = []


def _transaction_on(engine: Engine, work: Callable[[Connection], T]) -> T:
    marks: dict[str, bool] = {}
    with engine.begin() as connection:
        info = connection.info  # held: an invalidated connection's ``info`` is not to be reached again
        info[_MARKS] = marks
        try:
            result = work(connection)
        finally:
            info.pop(_MARKS, None)
    if marks:  # committed: the ``with`` raised otherwise
        for listener in list(_mark_listeners):
            listener(marks)
    return result


def _on_session(session: Session, work: Callable[[Connection], T]) -> T:
    connection = session.connection()
    info, marks = connection.info, dict[str, bool]()
    info[_MARKS] = marks
    try:
        return work(connection)
    finally:
        info.pop(_MARKS, None)
        session.info.update(marks)  # what ran is in the session's transaction, kept or dropped with it


async def _on_session_connection(session: AsyncSession, read: Read[T]) -> T:
    return await read(await session.connection())


async def _read_once(engine: AsyncEngine, read: Read[T]) -> T:
    # Closed here rather than by ``async with``, whose exit closes in a task of its own (see
    # storage/sqlite_on_loop.py: the one SQLite connection would stay out of the pool until that task runs).
    connection = await engine.connect()
    try:
        return await read(connection)
    finally:
        await connection.close()


async def _retrying(once: Callable[[], Awaitable[T]], attempts: int) -> T:
    # The first try runs on its own: nearly every transaction commits at once, and setting up tenacity's loop cost
    # more than a short read (0.05-0.08 ms a call). After a conflict, tenacity runs the other attempts, its waits
    # one step further on, as if it had run the first try itself.
    try:
        return await once()
    except Exception as error:
        if not is_transient(error):
            raise
        conflict = error
    log.info("transient database conflict (attempt 1): %s", conflict)
    if attempts <= 1:
        raise TryAgain(BUSY) from conflict
    await asyncio.sleep(random.uniform(0, FIRST_WAIT))  # noqa: S311 - jitter, not a secret
    retrying = AsyncRetrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts - 1),
        wait=wait_random_exponential(multiplier=2 * FIRST_WAIT, max=LONGEST_WAIT),
        before_sleep=_log_conflict,
    )
    try:
        async for attempt in retrying:
            with attempt:
                return await once()
    except RetryError as exhausted:
        raise TryAgain(BUSY) from exhausted.last_attempt.exception()
    raise AssertionError("unreachable: tenacity either returns, raises or gives up")


async def _once(session_factory: SessionFactory, unit: Unit[T], commit_on: tuple[type[Exception], ...]) -> T:
    async with session_factory.begin() as session:
        try:
            return await unit(session)
        except commit_on as decided:
            refusal = decided
    raise refusal  # after the commit: what the unit did before refusing is kept
