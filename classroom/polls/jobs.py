"""The periodic job of polls, run once per period across all replicas (see ``classroom.periodic``)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.periodic import PeriodicJob
from classroom.polls.exports import purge_expired_links

log = logging.getLogger(__name__)

EXPORT_LINKS_JOB = "polls-export-links-purge"
EXPORT_LINKS_CRON = "23 * * * *"  # hourly: expired links are already refused; this only tidies their rows


def purge_export_links(clock: Clock) -> PeriodicJob:
    async def purge(session: AsyncSession) -> None:
        purged = await purge_expired_links(session, clock.now())
        if purged:
            log.info("polls: %d expired download links purged", purged)

    return purge
