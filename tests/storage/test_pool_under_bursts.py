"""A burst of turns on PostgreSQL reuses the pool's connections instead of opening and closing connections for it
(``storage/engine.py``): opening one (TLS negotiation, start-up, the driver's type set-up, statements prepared
again) costs the bot milliseconds of CPU, more than the turn itself."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import POOL_SIZE, create_engine
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL case: set TEST_DATABASE_URL to run it")


async def _burst(engine: AsyncEngine, turns: int) -> None:
    async def turn() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_sleep(0.05)"))

    await asyncio.gather(*(turn() for _ in range(turns)))


async def test_bursts_beyond_the_pool_wait_for_its_connections_and_close_none() -> None:
    engine = create_engine(TEST_DATABASE_URL)
    opened: list[int] = []
    closed: list[int] = []

    def on_connect(*_: Any) -> None:
        opened.append(1)

    def on_close(*_: Any) -> None:
        closed.append(1)

    event.listen(engine.sync_engine, "connect", on_connect)
    event.listen(engine.sync_engine, "close", on_close)
    try:
        await _burst(engine, POOL_SIZE + 12)
        await _burst(engine, POOL_SIZE + 12)
    finally:
        await engine.dispose()
    assert len(opened) == POOL_SIZE  # never more connections than the pool holds
    assert len(closed) == POOL_SIZE  # closed only by dispose(): none was thrown away after a turn


async def test_after_a_burst_light_load_keeps_reusing_one_connection_and_pings_none() -> None:
    """The pool hands out the connection given back last: after a burst opened them all, turns one at a time keep
    taking the same one, which was working a moment ago, so none is pinged; the others stay idle."""
    engine = create_engine(TEST_DATABASE_URL, ping_after_idle=0.05)
    pings: list[int] = []
    ping = engine.sync_engine.dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    engine.sync_engine.dialect.do_ping = counting  # type: ignore[method-assign]
    used: set[int] = set()
    try:
        await _burst(engine, POOL_SIZE + 12)
        await asyncio.sleep(0.1)  # every connection of the burst idle longer than ping_after_idle
        for _ in range(10):
            async with engine.connect() as connection:
                raw = await connection.get_raw_connection()
                used.add(id(raw.driver_connection))
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert len(used) == 1
    assert len(pings) == 1  # the first turn after the pause only
