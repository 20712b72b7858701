"""Delivery fixtures: a throttling connector on loopback and a dispatcher wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.dispatcher import DispatcherConfig, OutboxDispatcher
from bot.delivery.rate_limiter import RateLimiter, RateLimits
from bot.delivery.renderers import RendererRegistry, default_renderers
from bot.delivery.retry_policy import RetryPolicy
from tests.delivery.helpers import connector_client
from tests.support.throttling_connector import ThrottlingConnector

REQUEST_TIMEOUT = 0.5  # the connector's injected "timeout" holds a request for 1.5 s
FAST_RETRIES = RetryPolicy(max_attempts=5, base_delay=0.05, max_delay=0.4)
TEST_CONFIG = DispatcherConfig(min_idle=0.02, max_idle=5.0, lease=timedelta(seconds=30), stop_grace=5.0)

MakeDispatcher = Callable[..., Awaitable[OutboxDispatcher]]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def make_dispatcher(
    session_factory: async_sessionmaker[AsyncSession], http: aiohttp.ClientSession
) -> AsyncIterator[MakeDispatcher]:
    """Build (not start) dispatchers on the test database; every one is stopped at the end."""
    made: list[OutboxDispatcher] = []

    async def make(
        config: DispatcherConfig = TEST_CONFIG,
        policy: RetryPolicy = FAST_RETRIES,
        limits: RateLimits | None = None,
        renderers: RendererRegistry | None = None,
    ) -> OutboxDispatcher:
        dispatcher = OutboxDispatcher(
            session_factory,
            connector_client(http, timeout=REQUEST_TIMEOUT),
            renderers or default_renderers(),
            RateLimiter(limits or RateLimits()),
            policy=policy,
            config=config,
        )
        made.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in made:
        await dispatcher.stop()


@pytest.fixture
async def throttling_connector() -> AsyncIterator[ThrottlingConnector]:
    connector = ThrottlingConnector(hang_seconds=1.5)
    await connector.start()
    yield connector
    await connector.close()
