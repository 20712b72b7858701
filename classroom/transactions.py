"""One transaction per service call, repeated when the database reports a transient conflict.

A conflict (SQLite busy or locked, a PostgreSQL deadlock or serialisation failure) means the transaction was
rolled back and nothing of it was kept, so running the whole unit again is safe and gives the same answer the
request would have had a moment later. Units must therefore touch only the database. Every service runs its
transactions through :func:`in_transaction`; reads use it too, so a read that meets a locked SQLite file waits
and retries like a write.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from classroom.errors import TryAgain

log = logging.getLogger(__name__)

T = TypeVar("T")
SessionFactory = async_sessionmaker[AsyncSession]
Unit = Callable[[AsyncSession], Awaitable[T]]

SQLITE_BUSY, SQLITE_LOCKED = 5, 6
POSTGRES_RETRYABLE = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
DEFAULT_ATTEMPTS = 8
# Backing off before attempt n+1: a random wait up to min(WAIT_MAX, WAIT_MULTIPLIER * 2 ** (n - 1)) seconds.
WAIT_MULTIPLIER, WAIT_MAX = 0.01, 2.0


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


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1 for the first): exponential, with full jitter."""
    return random.uniform(0, min(WAIT_MAX, WAIT_MULTIPLIER * 2 ** (attempt - 1)))  # noqa: S311 (jitter, not a secret)


async def in_transaction(
    session_factory: SessionFactory,
    unit: Unit[T],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    commit_on: tuple[type[Exception], ...] = (),
) -> T:
    """Run ``unit(session)`` in a transaction that commits when it returns; retry it on transient conflicts.

    An exception in ``commit_on`` (a refusal the unit decided on) commits the transaction, then is raised.
    Retries back off exponentially with full jitter (:func:`backoff`), so the transactions that collided do not
    collide again. A plain loop rather than a retry library's: nearly every call succeeds at once, and setting
    up the library's retry state cost about 15 µs a call (a turn takes one or two transactions).

    Raises:
        TryAgain: still conflicting after ``attempts`` tries (nothing was changed).
    """
    attempt = 1
    while True:
        try:
            return await _once(session_factory, unit, commit_on)
        except Exception as error:
            if not is_transient(error):
                raise
            if attempt >= attempts:
                raise TryAgain("the database is busy; please try again in a moment") from error
            log.info("transient database conflict (attempt %d): %s", attempt, error)
        await asyncio.sleep(backoff(attempt))
        attempt += 1


async def _once(session_factory: SessionFactory, unit: Unit[T], commit_on: tuple[type[Exception], ...]) -> T:
    async with session_factory.begin() as session:
        try:
            return await unit(session)
        except commit_on as decided:
            refusal = decided
    raise refusal  # after the commit: what the unit did before refusing is kept
