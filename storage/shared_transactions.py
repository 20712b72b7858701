"""Small units of work from turns that arrive together, run in one transaction.

Every message turn starts with the same short unit: claim the activity, read what the turn needs (a handful of
look-ups by key). Run alone, most of its cost is not the statements but their wrapping: a session, a connection
taken from the pool, a hand-over to the driver, BEGIN and COMMIT (on PostgreSQL, two of its four round trips).
Turns arrive in bursts (the start of a live session, a poll), and the turns that reach this point in the same
pass of the event loop can share that wrapping: the first schedules the transaction for the end of the pass, the
others join it, and each gets its own unit's result once it commits.

Units are synchronous functions of the session (run through ``run_sync``), so a batch runs start to finish
without handing the loop over between them. One failing unit fails the whole batch, and nothing of it is kept:
every turn in it gets the error, as each would have had its own. A unit whose turn was cancelled while waiting
is not run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

T = TypeVar("T")
SyncUnit = Callable[[Session], T]
# Runs ``unit(session)`` in a transaction that commits when it returns (``classroom.transactions.in_transaction``,
# which also runs it again after a transient conflict: safe, since a batch's units touch only the database).
TransactionRunner = Callable[[Callable[[AsyncSession], Awaitable[Any]]], Awaitable[Any]]


class SharedTransactions:
    def __init__(self, transaction: TransactionRunner) -> None:
        self._transaction = transaction
        self._waiting: list[tuple[SyncUnit[Any], asyncio.Future[Any]]] = []
        self._running: set[asyncio.Task[None]] = set()  # held so a batch's task is not collected mid-way
        self.transactions = 0  # batches committed or failed, for tests and benchmarks

    async def run(self, unit: SyncUnit[T]) -> T:
        """``unit``'s result, from a transaction it may share with units of other turns; committed when this
        returns."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._waiting.append((unit, future))
        if len(self._waiting) == 1:
            loop.call_soon(self._start)  # after every turn already scheduled in this pass has joined
        return await future

    def _start(self) -> None:
        task = asyncio.get_running_loop().create_task(self._run_batch())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run_batch(self) -> None:
        batch, self._waiting = self._waiting, []
        batch = [(unit, future) for unit, future in batch if not future.done()]
        if not batch:
            return
        self.transactions += 1

        async def units(session: AsyncSession) -> list[Any]:
            return await session.run_sync(lambda synchronous: [unit(synchronous) for unit, _ in batch])

        try:
            results = await self._transaction(units)
        except BaseException as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
