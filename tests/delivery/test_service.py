"""Delivery as the app runs it: ``DeliveryService`` start/stop, wake on commit, and rate-limiter history."""

from __future__ import annotations

import asyncio
from collections import Counter
from zoneinfo import ZoneInfo

from bot.delivery.config import DeliverySettings
from bot.delivery.rate_limiter import RateLimiter, RateLimits
from bot.delivery.service import DeliveryService
from bot.delivery.wake_on_commit import wake_on_commit
from tests.delivery.helpers import connector_client, conversation, store_conversations
from tests.delivery.virtual_time import VirtualTimer
from tests.support.notices import queue_text


async def test_service_delivers_what_the_domain_enqueues(session_factory, http, throttling_connector) -> None:
    await store_conversations(session_factory, [conversation("19:coordinators", throttling_connector.service_url)])
    service = DeliveryService(
        session_factory=session_factory,
        connector=connector_client(http),
        zone=ZoneInfo("Europe/London"),
        settings=DeliverySettings(tick_seconds=3600),
    )
    await service.start()
    try:
        seen = service.dispatcher.outcome_count
        async with session_factory.begin() as session:
            await queue_text(session, "New enquiry", key="enquiry-card:1")
        await asyncio.wait_for(service.dispatcher.wait_for_outcome(seen), 60)
    finally:
        await service.stop()
    assert throttling_connector.delivered_texts() == Counter({"New enquiry": 1})
    assert not service.dispatcher.running and not service.scheduler.scheduler.running


async def test_disabled_service_queues_but_does_not_send(session_factory, http) -> None:
    service = DeliveryService(
        session_factory=session_factory,
        connector=connector_client(http),
        zone=ZoneInfo("Europe/London"),
        settings=DeliverySettings(enabled=False),
    )
    await service.start()
    assert not service.dispatcher.running
    await service.stop()


async def test_rolled_back_enqueue_wakes_nobody(session_factory) -> None:
    woken: list[str] = []
    unhook = wake_on_commit(lambda: woken.append("wake"))
    try:
        async with session_factory() as session:
            await queue_text(session, "x", to="c")
            await session.rollback()
        async with session_factory.begin():
            pass  # a later commit on another session must not wake either
        assert woken == []
        async with session_factory.begin() as session:
            await queue_text(session, "y", to="c")
        assert woken == ["wake"]
    finally:
        unhook()


async def test_a_restarted_limiter_counts_recent_sends() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(RateLimits(conversation_margin=0.0), timer)
    timer.now = 100.0
    limiter.seed([("chat", 0.5)] * 7)  # seven messages half a second ago, before the restart
    sent: list[float] = []

    async def one() -> None:
        await limiter.acquire("chat")
        sent.append(timer.monotonic())

    await timer.run([one()])
    assert sent == [100.5]  # the first send after the restart waits for Teams' one-second window
