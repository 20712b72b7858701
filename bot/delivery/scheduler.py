"""APScheduler as the process's clock: the dispatcher's tick and periodic jobs, cron in local time.

APScheduler 3 cannot share a job store between processes, so nothing durable lives in it: the database is the
source of truth. Each replica runs the same schedule; a periodic job's firing is turned into a period key
(the scheduled wall-clock time in the configured zone, so a daylight-saving fold cannot yield two periods)
and ``classroom.periodic`` lets exactly one replica run each period.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.clock import Clock
from classroom.periodic import PeriodicJob, run_once_per_period

log = logging.getLogger(__name__)

TICK_JOB_ID = "outbox-tick"
_LOOKBACK = (
    timedelta(minutes=2),
    timedelta(hours=2),
    timedelta(days=2),
    timedelta(days=16),
    timedelta(days=63),
    timedelta(days=400),
)


def latest_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The most recent scheduled time at or before ``now`` (what a late or early-woken job belongs to)."""
    for lookback in _LOOKBACK:  # widen the search until it contains a firing, so frequent crons stay cheap
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
            # Stop at now, and at no progress (APScheduler can repeat a time inside a daylight-saving fold).
            if following is None or following > now or following <= fire:
                return fire
            fire = following
    return None


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) as day names, which APScheduler reads unambiguously."""
    if field in ("*", "?") or any(c.isalpha() for c in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            low, high = (int(n) for n in span.split("-", 1))
        else:
            low = int(span)
            high = 7 if step else low
        days.update(day % 7 for day in range(low, high + 1, int(step or 1)))
    return ",".join(_CRON_DAYS[day] for day in sorted(days))


def crontab_trigger(expression: str, zone: ZoneInfo) -> CronTrigger:
    """A standard five-field crontab in ``zone``.

    APScheduler 3's own ``CronTrigger.from_crontab`` counts weekdays from Monday = 0, so "30 7 * * 1-5"
    would run Tuesday to Saturday; we translate the weekday field to names first.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab has 5 fields (minute hour day month weekday), got {expression!r}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=_weekdays(weekday), timezone=zone)


def period_key(fire_time: datetime, zone: ZoneInfo) -> str:
    return fire_time.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


class DeliveryScheduler:
    """Wraps one ``AsyncIOScheduler``: the dispatcher tick plus guarded periodic jobs."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        zone: ZoneInfo,
        owner: str,
        wake: Callable[[], None],
        tick_seconds: float,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self.zone = zone
        self._owner = owner
        self._triggers: dict[str, CronTrigger] = {}
        self._jobs: dict[str, PeriodicJob] = {}
        self.scheduler = AsyncIOScheduler(timezone=zone)
        self.scheduler.add_job(
            wake, IntervalTrigger(seconds=tick_seconds), id=TICK_JOB_ID, coalesce=True, max_instances=1
        )

    def add_periodic_job(self, name: str, cron: str | CronTrigger, job: PeriodicJob) -> None:
        """Run ``job(session)`` once per firing of ``cron`` (crontab text, local time) across all replicas.

        The job runs in the transaction that claims the period; it must not commit. What it enqueues commits
        with the claim, and a failure rolls both back so a later firing can try the period again.
        """
        if name in self._jobs:
            raise ValueError(f"periodic job {name!r} is already scheduled")
        trigger = cron if isinstance(cron, CronTrigger) else crontab_trigger(cron, self.zone)
        self._triggers[name], self._jobs[name] = trigger, job
        # Late firings still run (a replica busy or starting up); the guard drops the extra ones.
        self.scheduler.add_job(
            self.run_periodic,
            trigger,
            args=[name],
            id=f"periodic:{name}",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )

    async def run_periodic(self, name: str) -> bool:
        """One firing of a periodic job: True when this replica ran the period, False when another had."""
        now = self._clock.now()
        fire = latest_fire_time(self._triggers[name], now + timedelta(seconds=1))  # tolerate an early wake
        key = period_key(fire or now, self.zone)
        try:
            ran = await run_once_per_period(
                self._session_factory, name, key, self._jobs[name], now=now, claimed_by=self._owner
            )
        except Exception:
            log.exception("periodic job %s failed for period %s; a later firing will try again", name, key)
            raise
        log.info("periodic job %s, period %s: %s", name, key, "ran here" if ran else "already run")
        return ran

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
