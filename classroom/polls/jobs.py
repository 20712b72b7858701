"""The periodic jobs of polls, each run once per period across all replicas (the period is claimed in the
database, see ``classroom.periodic``): closing polls whose time is up (``close`` also locks each poll, so it
closes once), and tidying expired download links."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.periodic import PeriodicJob
from classroom.polls.exports import purge_expired_links

log = logging.getLogger(__name__)

CLOSING_JOB = "polls-closing"  # never rename: the database guards each period by this name
CLOSING_CRON = "* * * * *"  # every minute: a poll closes within a minute of its time
EXPORT_LINKS_JOB = "polls-export-links-purge"
EXPORT_LINKS_CRON = "23 * * * *"  # hourly: expired links are already refused; this only tidies their rows


def purge_export_links(clock: Clock) -> PeriodicJob:
    async def purge(session: AsyncSession) -> None:
        purged = await purge_expired_links(session, clock.now())
        if purged:
            log.info("polls: %d expired download links purged", purged)

    return purge
