"""An asyncio lock that, when released, goes to the most urgent waiter rather than the first to arrive.

The rate limiter queues every send for the app's next slot; ordering that queue by how long each message has
already waited lets a retry (due long ago) go before fresh messages queued after it, so retries do not pile up
at the end of a large batch.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class PriorityLock:
    """A mutual-exclusion lock whose waiters get it in ``priority`` order (lowest first), then first come first
    served; a waiter cancelled while waiting, or just after being handed the lock, never leaves it stuck."""

    def __init__(self) -> None:
        self._busy = False
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()  # first come, first served among equal priorities

    @property
    def waiting(self) -> int:
        return sum(1 for _, _, future in self._waiting if not future.done())

    @asynccontextmanager
    async def hold(self, priority: float) -> AsyncIterator[None]:
        """Hold the lock for the ``async with`` block; lower ``priority`` values get it first."""
        await self._acquire(priority)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, priority: float) -> None:
        if not self._busy and not self.waiting:
            self._busy = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # we were handed the lock but will not use it: pass it on
            raise

    def _release(self) -> None:
        while self._waiting:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)  # the lock passes straight on; _busy stays set
                return
        self._busy = False
