"""One transaction per enrolment request, repeated when the database reports a transient conflict.

A conflict (SQLite busy or locked, a PostgreSQL deadlock or serialisation failure) means the transaction was
rolled back and nothing of it was kept, so running the whole unit again is safe and gives the same answer the
request would have had a moment later. Units must therefore touch only the database.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.enrolment.errors import TryAgain

log = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_BUSY, SQLITE_LOCKED = 5, 6
POSTGRES_RETRYABLE = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
DEFAULT_ATTEMPTS = 8


def is_transient(error: BaseException) -> bool:
    """True for errors that mean "another transaction was in the way; nothing was written"."""
    original = error.orig if isinstance(error, DBAPIError) else error
    code = getattr(original, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED):
        return True
    if getattr(original, "sqlstate", None) in POSTGRES_RETRYABLE:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database table is locked" in message


async def in_transaction(
    session_factory: async_sessionmaker[AsyncSession],
    unit: Callable[[AsyncSession], Awaitable[T]],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    commit_on: tuple[type[Exception], ...] = (),
) -> T:
    """Run ``unit(session)`` in a transaction that commits when it returns; retry it on transient conflicts.

    An exception in ``commit_on`` (a refusal the unit decided on) commits the transaction, then is raised.

    Raises:
        TryAgain: still conflicting after ``attempts`` tries (nothing was changed).
    """
    for attempt in range(1, attempts + 1):
        try:
            async with session_factory.begin() as session:
                try:
                    return await unit(session)
                except commit_on as decided:
                    refusal = decided
            raise refusal
        except DBAPIError as error:
            if not is_transient(error):
                raise
            if attempt == attempts:
                raise TryAgain("the database is busy; please try again in a moment") from error
            log.info("transient database conflict (attempt %d of %d): %s", attempt, attempts, error.orig)
            # Jittered exponential backoff, so the transactions that collided do not collide again.
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - not cryptographic
    raise AssertionError("unreachable")
