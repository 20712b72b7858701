"""The priority lock goes to the most urgent waiter, and a cancelled waiter never blocks the queue."""

from __future__ import annotations

import asyncio

from bot.delivery.priority_lock import PriorityLock


async def test_most_urgent_first_then_first_come_first_served() -> None:
    lock = PriorityLock()
    order: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with lock.hold(0):
            await release.wait()

    async def waiter(name: str, priority: float) -> None:
        async with lock.hold(priority):
            order.append(name)

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiters = [asyncio.create_task(waiter(n, p)) for n, p in [("new", 5), ("old", 1), ("new-2", 5), ("oldest", 0)]]
    await asyncio.sleep(0)
    assert lock.waiting == 4
    release.set()
    await asyncio.gather(first, *waiters)
    assert order == ["oldest", "old", "new", "new-2"]
    assert lock.waiting == 0


async def test_cancelled_waiters_pass_the_lock_on() -> None:
    lock = PriorityLock()
    release = asyncio.Event()
    got: list[str] = []

    async def holder() -> None:
        async with lock.hold(0):
            await release.wait()

    async def waiter(name: str) -> None:
        async with lock.hold(1):
            got.append(name)

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    doomed = asyncio.create_task(waiter("doomed"))
    survivor = asyncio.create_task(waiter("survivor"))
    await asyncio.sleep(0)
    doomed.cancel()
    release.set()
    await asyncio.gather(first, survivor)
    assert got == ["survivor"]
    async with lock.hold(0):  # free again
        pass


async def test_a_waiter_cancelled_just_after_being_handed_the_lock_passes_it_on() -> None:
    lock = PriorityLock()
    got: list[str] = []

    async def waiter(name: str) -> None:
        async with lock.hold(1):
            got.append(name)

    async with lock.hold(0):
        doomed = asyncio.create_task(waiter("doomed"))
        survivor = asyncio.create_task(waiter("survivor"))
        await asyncio.sleep(0)
    doomed.cancel()  # the lock was handed to it on leaving the block above, but it never ran
    await asyncio.gather(survivor, return_exceptions=True)
    assert got == ["survivor"] and doomed.cancelled()
