"""Each inbound activity is taken once, by whichever bot process claims it first, however often Teams sends it.

Teams redelivers an activity it got no answer to within about 15 seconds, possibly to another replica, and a
process that restarts forgets what it had taken. So the claim is a row keyed by the activity (channel,
conversation, activity id: ids are unique only within a conversation), written with INSERT ... ON CONFLICT DO
NOTHING before the turn runs: the first delivery inserts it, every redelivery finds it. That is one indexed
insert per turn, made in the session a message turn opens anyway (``bot/turn_preload.py``). Rows are kept for
``KEEP_RECEIPTS`` (Teams gives up redelivering long before) and purged hourly by a periodic job that runs once
across replicas.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.periodic import PeriodicJob
from classroom.transactions import SessionFactory, in_transaction, is_transient
from storage.direct_statements import DirectStatement
from storage.models import ActivityReceipt
from storage.padding import padded
from storage.upsert import dialect_insert

KEEP_RECEIPTS = timedelta(hours=24)
PURGE_JOB = "activity-receipts-purge"
PURGE_CRON = "23 * * * *"  # hourly


_RECEIPTS = ActivityReceipt.__table__
_claim_statements: dict[str, DirectStatement] = {}


def _claim_statement(dialect: str) -> DirectStatement:
    statement = _claim_statements.get(dialect)
    if statement is None:
        statement = DirectStatement(
            dialect_insert(dialect, _RECEIPTS)
            .values(key=bindparam("key"), expires_at=bindparam("expires_at"))
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(_RECEIPTS.c.key)
        )
        _claim_statements[dialect] = statement
    return statement


def _unclaim(key: str) -> Any:
    return delete(ActivityReceipt).where(ActivityReceipt.key == key)


def receipt_key(channel_id: str, conversation_id: str, activity_id: str) -> str:
    """A fixed-length key for one activity, whatever the length of its ids."""
    return hashlib.sha256(f"{channel_id}\n{conversation_id}\n{activity_id}".encode()).hexdigest()


class AlreadyTaken(Exception):
    """The activity was claimed before (a redelivery): its work was done once and is not done again."""


class ActivityReceipts:
    """Claims on inbound activities, shared by every bot process through the database."""

    def __init__(self, session_factory: SessionFactory, clock: Clock, keep: timedelta = KEEP_RECEIPTS) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._keep = keep

    async def claim_in(self, session: AsyncSession, key: str) -> bool:
        """Claim the activity ``key`` names in the caller's transaction (which must commit before the turn runs);
        True for its first delivery, False for a redelivery."""
        return await session.run_sync(lambda synchronous: self.claim_on(synchronous.connection(), key))

    def claim_on(self, connection: Connection, key: str) -> bool:
        """:meth:`claim_in` on the connection of a caller's transaction, from synchronous code (``run_sync``): a plain
        insert, without the session's ORM statement handling, which cost more than the insert itself."""
        values = {"key": key, "expires_at": self._clock.now() + self._keep}
        return bool(_claim_statement(connection.dialect.name).execute(connection, values).rows)

    async def claim_all_in(self, session: AsyncSession, keys: list[str]) -> set[str]:
        """:meth:`claim_in` of several activities in one statement; the keys claimed now (the others: redeliveries)."""
        if not keys:
            return set()
        connection = await session.connection()
        expires_at = self._clock.now() + self._keep
        rows = padded([{"key": key, "expires_at": expires_at} for key in sorted(set(keys))])  # a repeat: no claim
        claim = _claim_statement(connection.dialect.name).statement
        return {key for (key,) in await connection.execute(claim, rows)}

    async def unclaim_in(self, session: AsyncSession, key: str) -> None:
        """Give up a claim made earlier in the caller's transaction (its work was refused after all)."""
        await session.execute(_unclaim(key))

    async def require_claim_in(self, session: AsyncSession, key: str | None) -> None:
        """:meth:`claim_in` for work that claims its own activity (``key``; None: nothing to claim); raises
        AlreadyTaken for a redelivery, so the caller's transaction changes nothing."""
        if key is not None and not await self.claim_in(session, key):
            raise AlreadyTaken(key)

    def require_claim_on(self, key: str, connection: Connection) -> None:
        """:meth:`require_claim_in` from synchronous code (``run_sync``), on the connection of the caller's
        transaction."""
        if not self.claim_on(connection, key):
            raise AlreadyTaken(key)

    async def claim(self, key: str) -> bool:
        """:meth:`claim_in` in a short transaction of its own. It runs before every turn that is not a message, so
        only a passing conflict goes through the retrying ``in_transaction`` (whose set-up costs more than the
        insert)."""
        try:
            async with self._session_factory.begin() as session:
                return await self.claim_in(session, key)
        except DBAPIError as error:
            if not is_transient(error):
                raise
        return await in_transaction(self._session_factory, lambda session: self.claim_in(session, key))

    async def release(self, key: str) -> None:
        """Give up a claim whose turn failed without an answer, so a redelivery runs it again."""

        await in_transaction(self._session_factory, lambda session: self.unclaim_in(session, key))

    def purge_job(self) -> PeriodicJob:
        """Delete the receipts past their time (schedule it as ``PURGE_JOB``)."""

        async def purge(session: AsyncSession) -> None:
            await session.execute(delete(ActivityReceipt).where(ActivityReceipt.expires_at < self._clock.now()))

        return purge
