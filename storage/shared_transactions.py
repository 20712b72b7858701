"""Small units of work from turns that arrive together, run in one transaction.

Every message turn starts with the same short unit: claim the activity, read what the turn needs (a handful of
look-ups by key). Run alone, most of its cost is not the statements but their wrapping: a connection taken from
the pool, a hand-over to the driver, BEGIN and COMMIT (on PostgreSQL, two of its four round trips).
Turns arrive in bursts (the start of a live session, a poll), and the turns that reach this point in the same
pass of the event loop can share that wrapping: the first schedules the transaction for the end of the pass, the
others join it, and each gets its own unit's result once it commits.

Units are synchronous functions of the transaction's connection (no ORM session: its bookkeeping cost more than
these statements), so a batch runs start to finish in one greenlet without handing the loop over between them. A
unit that fails fails its batch's transaction, and nothing of it is kept; then each unit runs again in a
transaction of its own, so only the failing one's turn gets the error. A unit whose turn was cancelled while
waiting is not run; one cancelled after its transaction began is undone by the ``abandoned`` step its turn gave
(a claim given up), since nobody is left to act on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")
SyncUnit = Callable[[Connection], T]
# Runs ``work(connection)``, synchronous, in a transaction that commits when it returns
# (``classroom.transactions.in_transaction_on``, which also runs it again after a transient conflict: safe, since a
# batch's units touch only the database).
TransactionRunner = Callable[[Callable[[Connection], Any]], Awaitable[Any]]
Abandoned = Callable[[T], Awaitable[None]]

log = logging.getLogger(__name__)


@dataclass
class _Waiting:
    unit: SyncUnit[Any]
    future: asyncio.Future[Any]
    abandoned: Abandoned[Any] | None


class SharedTransactions:
    def __init__(self, transaction: TransactionRunner) -> None:
        self._transaction = transaction
        self._waiting: list[_Waiting] = []
        self._running: set[asyncio.Task[None]] = set()  # held so a batch's task is not collected mid-way
        self.transactions = 0  # transactions run (fewer than the units when they come together), for tests

    async def run(self, unit: SyncUnit[T], *, abandoned: Abandoned[T] | None = None) -> T:
        """``unit``'s result, from a transaction it may share with units of other turns; committed when this
        returns. ``abandoned(result)`` undoes what the unit committed when its turn was cancelled meanwhile (after
        the transaction began: nobody is left to act on the result)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._waiting.append(_Waiting(unit, future, abandoned))
        if len(self._waiting) == 1:
            loop.call_soon(self._start)  # after every turn already scheduled in this pass has joined
        return await future

    def _start(self) -> None:
        task = asyncio.get_running_loop().create_task(self._run_batch())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run_batch(self) -> None:
        batch, self._waiting = self._waiting, []
        batch = [waiting for waiting in batch if not waiting.future.done()]  # a turn cancelled while waiting
        if not batch:
            return
        try:
            committed = await self._results_of(batch)
        except BaseException as error:  # cancelled (shutting down): every turn of the batch learns it
            for waiting in batch:
                _fail(waiting, error)
            raise
        # Last: undoing is a transaction of its own, which a busy database may hold up; no other turn waits for it.
        for waiting, result in committed:
            if waiting.future.cancelled() and waiting.abandoned is not None:
                try:
                    await waiting.abandoned(result)
                except Exception:
                    log.exception("could not undo the work of a turn cancelled while it was committed")

    async def _results_of(self, batch: list[_Waiting]) -> list[tuple[_Waiting, Any]]:
        """Each turn's result, handed to it as soon as it is committed; returns what was committed."""
        try:
            results = await self._run(batch)
        except Exception as error:  # noqa: BLE001 - handed to the turns, whatever it is
            if len(batch) == 1:
                _fail(batch[0], error)
                return []
            # One unit's error (bad data in one activity, say) must not fail the turns it happened to share a
            # transaction with: nothing of the batch was kept, so each runs again on its own.
            committed = []
            for waiting in batch:
                if waiting.future.done():
                    continue  # its turn was cancelled meanwhile: nobody is left to run it for
                try:
                    [result] = await self._run([waiting])
                except Exception as own:  # noqa: BLE001 - handed to its turn
                    _fail(waiting, own)
                else:
                    committed.append(_handed(waiting, result))
            return committed
        return [_handed(waiting, result) for waiting, result in zip(batch, results, strict=True)]

    async def _run(self, batch: list[_Waiting]) -> list[Any]:
        self.transactions += 1

        return list(await self._transaction(lambda connection: [waiting.unit(connection) for waiting in batch]))


def _handed(waiting: _Waiting, result: Any) -> tuple[_Waiting, Any]:
    if not waiting.future.done():
        waiting.future.set_result(result)
    return waiting, result


def _fail(waiting: _Waiting, error: BaseException) -> None:
    if not waiting.future.done():
        waiting.future.set_exception(error)
