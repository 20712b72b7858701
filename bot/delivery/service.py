"""Proactive delivery assembled for the app: limiter, connector, dispatcher, scheduler, wake-on-commit.

The app builds one ``DeliveryService`` at start-up and stops it at shutdown::

    delivery = DeliveryService(session_factory=..., connector=adapter.connector, zone=settings.zone,
                               renderers=build_renderers(registry, settings.zone))  # every feature's kinds
    schedule_jobs(delivery, registry, services)                                     # every feature's jobs
    await delivery.start()
    ...
    await delivery.stop()
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.config import DeliverySettings
from bot.delivery.connector import ProactiveConnector
from bot.delivery.dispatcher import OutboxDispatcher
from bot.delivery.rate_limiter import RateLimiter
from bot.delivery.renderers import RendererRegistry, default_renderers
from bot.delivery.scheduler import DeliveryScheduler
from bot.delivery.wake_on_commit import wake_on_commit
from classroom.clock import Clock, SystemClock
from classroom.periodic import PeriodicJob

log = logging.getLogger(__name__)


class DeliveryService:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        connector: ProactiveConnector,
        zone: ZoneInfo,
        settings: DeliverySettings | None = None,
        clock: Clock | None = None,
        renderers: RendererRegistry | None = None,
    ) -> None:
        self.settings = settings or DeliverySettings()
        clock = clock or SystemClock()
        self.renderers = renderers or default_renderers()
        self.limiter = RateLimiter(self.settings.rate_limits())
        self.dispatcher = OutboxDispatcher(
            session_factory,
            connector,
            self.renderers,
            self.limiter,
            clock=clock,
            policy=self.settings.retry_policy(),
            config=self.settings.dispatcher_config(),
        )
        self.scheduler = DeliveryScheduler(
            session_factory=session_factory,
            clock=clock,
            zone=zone,
            owner=self.dispatcher.owner,
            wake=self.dispatcher.wake,
            tick_seconds=self.settings.tick_seconds,
        )
        self._unhook: list[Callable[[], None]] = []

    def wake(self) -> None:
        self.dispatcher.wake()

    def add_periodic_job(self, name: str, cron: str, job: PeriodicJob) -> None:
        self.scheduler.add_periodic_job(name, cron, job)

    async def start(self) -> None:
        """Start the scheduler (periodic jobs run on every replica) and, if enabled, the dispatcher."""
        self.scheduler.start()
        if self.settings.enabled:
            self._unhook.append(wake_on_commit(self.dispatcher.wake))
            await self.dispatcher.start()
        else:
            log.info("DELIVERY_ENABLED is false: this replica queues notifications but does not send them")

    async def stop(self) -> None:
        self.scheduler.shutdown()
        for unhook in self._unhook:
            unhook()
        self._unhook.clear()
        await self.dispatcher.stop()
