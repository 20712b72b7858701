"""Votes for one poll that arrive together, recorded together (``answers_together``): one process's queue per poll.

A classroom answers at once: hundreds of votes a second for one poll, each a transaction of its own until now,
most of whose cost is the same for every vote (a session, BEGIN and COMMIT, the poll's lock and snapshot, the
tallies). Here a vote for a poll whose previous batch is still being recorded waits for it, with every other vote
that comes meanwhile, and they then go in one transaction; a vote that finds the poll idle goes at the end of the
event loop's pass, with the votes that reached it in the same pass. So a vote alone waits for nothing, and under
load the batches grow with the load. A batch of one is recorded as a vote alone (``record_one``).

Each voter (and each activity) is in a batch once: a second press waits for the next batch, so it sees the first.
When a batch fails (not a refusal: those are each vote's own result), nothing of it was kept, and each of its
votes is recorded again alone, so only the failing one's turn gets the error. A vote whose turn was cancelled
before its batch began is left out; one cancelled after stays recorded, as a vote alone cancelled after it
committed does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from classroom.polls.answers_together import PendingVote, VoteResult
from classroom.polls.polls import VoteOutcome

BATCH_MAX = 100  # votes in one transaction (a bound on its length, and on the statements' parameters)

RecordOne = Callable[[int, PendingVote], Awaitable[VoteOutcome]]
RecordMany = Callable[[int, Sequence[PendingVote]], Awaitable[list[VoteResult]]]


@dataclass
class _Waiting:
    vote: PendingVote
    future: asyncio.Future[VoteOutcome]


class VoteBatches:
    def __init__(self, record_one: RecordOne, record_many: RecordMany, *, batch_max: int = BATCH_MAX) -> None:
        self._record_one = record_one
        self._record_many = record_many
        self._batch_max = batch_max
        self._waiting: dict[int, list[_Waiting]] = {}
        self._busy: set[int] = set()  # polls with a batch being recorded (or about to be)
        self._running: set[asyncio.Task[None]] = set()  # held so a batch's task is not collected mid-way
        self.batches = 0  # transactions run for batches of more than one vote, for tests

    async def answer(self, poll_id: int, vote: PendingVote) -> VoteOutcome:
        """``vote``'s outcome once it is committed (raises its refusal), recorded with the votes around it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[VoteOutcome] = loop.create_future()
        self._waiting.setdefault(poll_id, []).append(_Waiting(vote, future))
        if poll_id not in self._busy:
            self._busy.add(poll_id)
            loop.call_soon(self._start, poll_id)  # after every vote already scheduled in this pass has joined
        return await future

    def _start(self, poll_id: int) -> None:
        batch = self._take(poll_id)
        if not batch:
            self._busy.discard(poll_id)
            return
        task = asyncio.get_running_loop().create_task(self._run(poll_id, batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def _take(self, poll_id: int) -> list[_Waiting]:
        """The next batch: the waiting votes in order, each voter and activity once, at most ``batch_max``."""
        waiting = [w for w in self._waiting.pop(poll_id, []) if not w.future.done()]
        batch: list[_Waiting] = []
        later: list[_Waiting] = []
        voters: set[str] = set()
        receipts: set[str] = set()
        for w in waiting:
            receipt = w.vote.receipt
            if len(batch) >= self._batch_max or w.vote.voter.aad_object_id in voters or receipt in receipts:
                later.append(w)
                continue
            batch.append(w)
            voters.add(w.vote.voter.aad_object_id)
            if receipt is not None:
                receipts.add(receipt)
        if later:
            self._waiting[poll_id] = later
        return batch

    async def _run(self, poll_id: int, batch: list[_Waiting]) -> None:
        try:
            if len(batch) == 1:
                await self._alone(poll_id, batch[0])
            else:
                await self._together(poll_id, batch)
        except BaseException as error:  # cancelled (shutting down): every vote of the poll learns it
            self._busy.discard(poll_id)
            for w in [*batch, *self._waiting.pop(poll_id, [])]:
                if not w.future.done():
                    w.future.set_exception(error)
            raise
        self._start(poll_id)  # the votes that came meanwhile (or the poll is idle again)

    async def _alone(self, poll_id: int, waiting: _Waiting) -> None:
        try:
            outcome = await self._record_one(poll_id, waiting.vote)
        except Exception as refused:  # noqa: BLE001 - handed to its turn, whatever it is
            _hand_over(waiting, refused)
        else:
            _hand_over(waiting, outcome)

    async def _together(self, poll_id: int, batch: list[_Waiting]) -> None:
        self.batches += 1
        try:
            results = await self._record_many(poll_id, [w.vote for w in batch])
        except Exception:  # noqa: BLE001 - nothing of the batch was kept: each vote again, alone
            for w in batch:
                await self._alone(poll_id, w)
            return
        for w, result in zip(batch, results, strict=True):
            _hand_over(w, result)


def _hand_over(waiting: _Waiting, result: VoteOutcome | BaseException) -> None:
    if waiting.future.done():
        return
    if isinstance(result, BaseException):
        waiting.future.set_exception(result)
    else:
        waiting.future.set_result(result)
