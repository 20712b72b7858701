"""Turns of one person in one conversation run one after another; other conversations are not held up."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.serial_turns import SerialTurnsMiddleware


def _context(conversation: str, user: str = "29:alex") -> SimpleNamespace:
    activity = SimpleNamespace(conversation=SimpleNamespace(id=conversation), from_property=SimpleNamespace(id=user))
    return SimpleNamespace(activity=activity)


async def test_a_second_turn_waits_for_the_first_and_others_do_not() -> None:
    middleware = SerialTurnsMiddleware()
    release_first = asyncio.Event()
    order: list[str] = []

    async def first() -> None:
        order.append("first started")
        await release_first.wait()
        order.append("first finished")

    async def second() -> None:
        order.append("second started")

    async def elsewhere() -> None:
        order.append("other conversation")

    first_turn = asyncio.create_task(middleware.on_turn(_context("conv-1"), first))
    await asyncio.sleep(0)  # let the first turn take its lock
    second_turn = asyncio.create_task(middleware.on_turn(_context("conv-1"), second))
    await middleware.on_turn(_context("conv-2"), elsewhere)  # runs at once although conv-1 is busy
    for _ in range(5):
        await asyncio.sleep(0)
    assert order == ["first started", "other conversation"]
    release_first.set()
    await asyncio.gather(first_turn, second_turn)
    assert order == ["first started", "other conversation", "first finished", "second started"]
    assert middleware.active_conversations == 0  # nothing kept once the turns are over


async def test_a_failing_turn_releases_the_conversation() -> None:
    middleware = SerialTurnsMiddleware()

    async def boom() -> None:
        raise RuntimeError("turn failed")

    with pytest.raises(RuntimeError):  # the failure still reaches the adapter's error handler
        await middleware.on_turn(_context("conv-1"), boom)
    ran = []

    async def next_turn() -> None:
        ran.append(True)

    await asyncio.wait_for(middleware.on_turn(_context("conv-1"), next_turn), timeout=5)
    assert ran == [True] and middleware.active_conversations == 0
