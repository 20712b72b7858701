"""PostgreSQL connections are pinged when taken from the pool only after being idle (``storage/engine.py``): a
server that dropped them (a restart) does not fail the next turn, and a busy bot pays no ping per turn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL case: set TEST_DATABASE_URL to run it")


def _counting_pings(engine: AsyncEngine) -> list[int]:
    pings: list[int] = []
    dialect = engine.sync_engine.dialect
    ping = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    dialect.do_ping = counted  # type: ignore[method-assign]
    return pings


@pytest.fixture
async def engines() -> AsyncIterator[list[AsyncEngine]]:
    made: list[AsyncEngine] = []
    yield made
    for engine in made:
        await engine.dispose()


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_the_server_dropped_while_idle_is_replaced_not_failed(engines) -> None:
    engine = create_engine(TEST_DATABASE_URL, pool_size=1, max_overflow=0, ping_after_idle=0.0)
    engines.append(engine)
    pings = _counting_pings(engine)
    first = await _backend_pid(engine)
    killer = create_engine(TEST_DATABASE_URL, pool_size=1, max_overflow=0)
    engines.append(killer)
    async with killer.connect() as connection:  # as a server restart would: the pooled connection is gone
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})

    second = await _backend_pid(engine)

    assert second != first and pings  # the dead connection failed its ping and a fresh one answered


async def test_a_busy_pool_pays_no_ping_per_checkout(engines) -> None:
    engine = create_engine(TEST_DATABASE_URL, pool_size=1, max_overflow=0)  # the default: ping after 1 s idle
    engines.append(engine)
    pings = _counting_pings(engine)
    pids = {await _backend_pid(engine) for _ in range(20)}
    assert len(pids) == 1 and pings == []
