"""Virtual time for rate-limiter tests: ``sleep`` parks the caller; the driver jumps to the next deadline.

Time moves only when every task is parked, so the schedule the limiter produces is exactly what it asked
for, with no real waiting and no dependence on machine speed.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")


class VirtualTimer:
    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def _settle(self, tasks: Sequence[asyncio.Future[T]]) -> None:
        # Let every runnable task run until it parks again: until nothing changes for several loop turns.
        quiet, last = 0, None
        while quiet < 10:
            await asyncio.sleep(0)
            state = (len(self._sleepers), sum(t.done() for t in tasks))
            quiet = quiet + 1 if state == last else 0
            last = state

    async def run(self, coroutines: Iterable[Awaitable[T]]) -> list[T]:
        """Run the coroutines to completion, advancing virtual time whenever all of them are parked."""
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while True:
            await self._settle(tasks)
            if all(t.done() for t in tasks):
                return [t.result() for t in tasks]
            if not self._sleepers:
                raise RuntimeError("deadlock: tasks are waiting on something other than virtual time")
            deadline = self._sleepers[0][0]
            self.now = max(self.now, deadline)
            while self._sleepers and self._sleepers[0][0] <= self.now:
                _, _, future = heapq.heappop(self._sleepers)
                if not future.done():
                    future.set_result(None)
