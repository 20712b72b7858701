"""Group commit for outcomes: many lanes finish at once, one transaction records them all.

Each lane awaits its own outcome's durable write (so a crash can only repeat rows whose write had not
committed). Under load the writes queue up while a transaction runs and go together in the next one; when
idle a write goes at once, so nothing waits for a timer.
"""

from __future__ import annotations

import asyncio
from collections import deque

from classroom.outbox.claims import OutboxStore, Outcome

MAX_BATCH = 200


class OutcomeWriter:
    def __init__(self, store: OutboxStore) -> None:
        self._store = store
        self._pending: deque[tuple[Outcome, asyncio.Future[bool]]] = deque()
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="outbox-outcome-writer")

    async def write(self, outcome: Outcome) -> bool:
        """Record ``outcome``; True once committed, False when the row's lease had been lost."""
        if self._task is None or self._task.done():
            raise RuntimeError("the outcome writer is not running")
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((outcome, future))
        self._ready.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._pending:
                batch = [self._pending.popleft() for _ in range(min(MAX_BATCH, len(self._pending)))]
                try:
                    recorded = await self._store.record([outcome for outcome, _ in batch])
                except (Exception, asyncio.CancelledError) as error:  # each waiting lane decides what it means
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(RuntimeError(f"outcome not recorded: {error!r}"))
                    if isinstance(error, asyncio.CancelledError):
                        raise
                    continue
                for (_, future), ok in zip(batch, recorded, strict=True):
                    if not future.done():
                        future.set_result(ok)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        while self._pending:
            _, future = self._pending.popleft()
            if not future.done():
                future.set_exception(RuntimeError("the outcome writer stopped"))
