"""Votes for one poll that arrive together, recorded together (``answers_together``): one process's queue per poll.

A classroom answers at once: hundreds of votes a second for one poll, each a transaction of its own until now,
most of whose cost is the same for every vote (a session, BEGIN and COMMIT, the poll's lock and snapshot, the
tallies). Here a vote for a poll with as many batches being recorded as it may have (``in_flight``) waits for one
to end, with every other vote that comes meanwhile, and they then go in one transaction; a vote that finds room
goes at the end of the event loop's pass, with the votes that reached it in the same pass. So a vote alone waits
for nothing, and under load the batches grow with the load. A batch of one is recorded as a vote alone (``record_one``).

Each voter (and each activity) is in a batch once: a second press waits for the next batch, so it sees the first.
When a batch fails (not a refusal: those are each vote's own result), nothing of it was kept, and each of its
votes is recorded again alone, so only the failing one's turn gets the error (the failure is logged). A batch
that ran out of retries (the database stayed busy: TryAgain) is not: each of its votes is told to try again. A
vote whose turn was cancelled before its batch began is left out; one cancelled after stays recorded, as a vote
alone cancelled after it committed does. At shutdown ``aclose`` lets the batches being recorded finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from classroom.errors import TryAgain
from classroom.polls.answers_together import PendingVote, VoteResult
from classroom.polls.polls import VoteOutcome
from classroom.transactions import BUSY, is_transient

log = logging.getLogger(__name__)
BATCH_MAX = 100  # votes in one transaction (a bound on its length, and on the statements' parameters)
CLOSE_GRACE = 10.0  # seconds ``aclose`` waits for the batches being recorded at shutdown

RecordOne = Callable[[int, PendingVote], Awaitable[VoteOutcome]]
# A batch's results, and what to do once its votes have been answered (None: nothing).
Recorded = tuple[list[VoteResult], Callable[[], Awaitable[None]] | None]
RecordMany = Callable[[int, Sequence[PendingVote]], Awaitable[Recorded]]


@dataclass
class _Waiting:
    vote: PendingVote
    future: asyncio.Future[VoteOutcome]


class VoteBatches:
    """``in_flight``: how many batches of one poll may be recorded at once (PostgreSQL: they do not wait for each
    other; SQLite has one connection, so one)."""

    def __init__(
        self, record_one: RecordOne, record_many: RecordMany, *, batch_max: int = BATCH_MAX, in_flight: int = 1
    ) -> None:
        self._record_one = record_one
        self._record_many = record_many
        self._batch_max = batch_max
        self._in_flight_max = in_flight
        self._waiting: dict[int, list[_Waiting]] = {}
        self._starting: set[int] = set()  # polls whose next batch starts at the end of this pass
        self._in_flight: dict[int, int] = {}  # polls' batches being recorded
        self._voting: dict[int, set[str]] = {}  # per poll, the voters and activities of the batches being recorded
        self._running: set[asyncio.Task[None]] = set()  # held so a batch's task is not collected mid-way

    async def answer(self, poll_id: int, vote: PendingVote) -> VoteOutcome:
        """``vote``'s outcome once it is committed (raises its refusal), recorded with the votes around it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[VoteOutcome] = loop.create_future()
        self._waiting.setdefault(poll_id, []).append(_Waiting(vote, future))
        if poll_id not in self._starting and self._in_flight.get(poll_id, 0) < self._in_flight_max:
            self._starting.add(poll_id)
            loop.call_soon(self._start, poll_id)  # after every vote already scheduled in this pass has joined
        return await future

    async def aclose(self, grace: float = CLOSE_GRACE) -> None:
        """At shutdown, before the database's engine is disposed: wait (``grace`` seconds at most) for the batches
        being recorded, the steps after them (the card's mark) and the batches of the votes waiting behind them;
        then cancel what is left (its votes are told)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while (self._running or self._starting) and loop.time() < deadline:
            if self._running:
                await asyncio.wait(set(self._running), timeout=deadline - loop.time())
            else:
                await asyncio.sleep(0)  # a batch starts at the end of this pass
        left = set(self._running)
        for task in left:
            task.cancel()
        if left:
            log.warning("%d batches of votes still being recorded at shutdown were cancelled", len(left))
            await asyncio.gather(*left, return_exceptions=True)

    def _start(self, poll_id: int) -> None:
        self._starting.discard(poll_id)
        batch = self._take(poll_id)
        if not batch:
            return
        self._in_flight[poll_id] = self._in_flight.get(poll_id, 0) + 1
        self._voting.setdefault(poll_id, set()).update(_names(batch))
        task = asyncio.get_running_loop().create_task(self._run(poll_id, batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def _take(self, poll_id: int) -> list[_Waiting]:
        """The next batch: the waiting votes in order, each voter and activity once, at most ``batch_max``."""
        waiting = [w for w in self._waiting.pop(poll_id, []) if not w.future.done()]
        batch: list[_Waiting] = []
        later: list[_Waiting] = []
        taken = set(self._voting.get(poll_id, ()))  # a voter, or an activity, in a batch being recorded waits for it
        for w in waiting:
            names = _names([w])
            if len(batch) >= self._batch_max or not taken.isdisjoint(names):
                later.append(w)
            else:
                batch.append(w)
            taken.update(names)  # a later press of the same voter stays behind this one
        if later:
            self._waiting[poll_id] = later
        return batch

    async def _run(self, poll_id: int, batch: list[_Waiting]) -> None:
        try:
            if len(batch) == 1:
                await self._alone(poll_id, batch[0])
            else:
                await self._together(poll_id, batch)
        except asyncio.CancelledError as cancelled:  # shutting down: every vote of the poll learns it
            for w in [*batch, *self._waiting.pop(poll_id, [])]:
                if not w.future.done():
                    w.future.set_exception(cancelled)
            raise
        except Exception as error:  # a fault of this batch: its votes learn it, the poll's next batch still starts
            log.exception("poll %s: a batch of %d votes failed", poll_id, len(batch))
            for w in batch:
                _hand_over(w, error)
        finally:
            left = self._in_flight.pop(poll_id) - 1
            voting = self._voting.pop(poll_id, set()) - _names(batch)
            if left:
                self._in_flight[poll_id] = left
                self._voting[poll_id] = voting
        if poll_id not in self._starting:
            self._start(poll_id)  # the votes that came meanwhile, if any

    async def _alone(self, poll_id: int, waiting: _Waiting) -> None:
        try:
            outcome = await self._record_one(poll_id, waiting.vote)
        except Exception as refused:  # noqa: BLE001 - handed to its turn, whatever it is
            _hand_over(waiting, refused)
        else:
            _hand_over(waiting, outcome)

    async def _together(self, poll_id: int, batch: list[_Waiting]) -> None:
        try:
            results, then = await self._record_many(poll_id, [w.vote for w in batch])
        except Exception as error:  # nothing of the batch was kept
            if isinstance(error, TryAgain) or is_transient(error):
                # The database stayed busy through the retries: alone, each vote would retry as long again, one
                # after another, while the votes behind them wait. Each voter is told to try again instead.
                for w in batch:
                    _hand_over(w, _busy(error))
                return
            log.exception("poll %s: batch of %d failed; recording each alone", poll_id, len(batch))
            for w in batch:  # so only the failing vote's turn gets the error
                await self._alone(poll_id, w)
            return
        for w, result in zip(batch, results, strict=True):
            _hand_over(w, result)
        if then is not None:  # the voters have their answers; this batch's place is held until it is done
            try:
                await then()
            except Exception:
                log.exception("poll %s: the step after a batch of votes failed", poll_id)


def _names(batch: list[_Waiting]) -> set[str]:
    """The voters (``voter:`` their Entra object id) and activities (``receipt:`` its key) of ``batch``."""
    names = {f"voter:{w.vote.voter.aad_object_id}" for w in batch}
    return names | {f"receipt:{w.vote.receipt}" for w in batch if w.vote.receipt is not None}


def _busy(error: Exception) -> TryAgain:
    """A TryAgain of its own for each vote of a batch given up on (each turn raises it, with its traceback)."""
    busy = TryAgain(*error.args) if isinstance(error, TryAgain) else TryAgain(BUSY)
    busy.__cause__ = error.__cause__ if isinstance(error, TryAgain) else error
    return busy


def _hand_over(waiting: _Waiting, result: VoteOutcome | BaseException) -> None:
    if waiting.future.done():
        return
    if isinstance(result, BaseException):
        waiting.future.set_exception(result)
    else:
        waiting.future.set_result(result)
