"""APScheduler wiring: the dispatcher tick, and periodic jobs that run once per period across replicas,
keyed by the local (Europe/London) time they were scheduled for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.scheduler import DeliveryScheduler, crontab_trigger, latest_fire_time, period_key
from storage.models import OutboxNotification, PeriodicJobRun
from tests.support.notices import queue_text

LONDON = ZoneInfo("Europe/London")


def replica(session_factory, clock, name: str, wake=lambda: None, tick: float = 60.0) -> DeliveryScheduler:  # type: ignore[no-untyped-def]
    return DeliveryScheduler(
        session_factory=session_factory, clock=clock, zone=LONDON, owner=name, wake=wake, tick_seconds=tick
    )


async def digest(session: AsyncSession) -> None:
    now = datetime.now(UTC)
    await queue_text(session, "digest", key=f"digest:{now.isoformat()}", due_at=now)


def test_latest_fire_time_and_period_key() -> None:
    trigger = crontab_trigger("30 7 * * 1-5", LONDON)  # weekdays, as in any crontab
    monday = datetime(2026, 11, 23, 7, 30, 4, tzinfo=UTC)  # GMT: London time equals UTC
    assert latest_fire_time(trigger, monday) == datetime(2026, 11, 23, 7, 30, tzinfo=LONDON)
    assert latest_fire_time(trigger, monday - timedelta(seconds=5)) == datetime(2026, 11, 20, 7, 30, tzinfo=LONDON)
    assert period_key(datetime(2026, 7, 1, 6, 30, tzinfo=UTC), LONDON) == "2026-07-01T07:30"  # BST
    every_minute = crontab_trigger("* * * * *", LONDON)
    assert latest_fire_time(every_minute, monday) == datetime(2026, 11, 23, 7, 30, tzinfo=LONDON)


def test_crontab_weekdays_count_from_sunday() -> None:
    assert str(crontab_trigger("0 9 * * 1-5", LONDON).fields[4]) == "mon,tue,wed,thu,fri"
    assert str(crontab_trigger("0 9 * * 0,6", LONDON).fields[4]) == "sun,sat"
    assert str(crontab_trigger("0 9 * * 7", LONDON).fields[4]) == "sun"
    assert str(crontab_trigger("0 9 * * */2", LONDON).fields[4]) == "sun,tue,thu,sat"
    assert str(crontab_trigger("0 9 * * mon-fri", LONDON).fields[4]) == "mon-fri"


async def test_a_periodic_job_runs_once_per_period_across_replicas(session_factory, clock) -> None:
    a, b = replica(session_factory, clock, "a"), replica(session_factory, clock, "b")
    for scheduler in (a, b):
        scheduler.add_periodic_job("coordinator-digest", "30 7 * * *", digest)
    clock.set(datetime(2026, 11, 23, 7, 30, 2, tzinfo=UTC))
    assert await a.run_periodic("coordinator-digest")
    clock.advance(timedelta(seconds=3))  # the other replica fires a moment later
    assert not await b.run_periodic("coordinator-digest")
    clock.set(datetime(2026, 11, 24, 7, 30, 0, tzinfo=UTC))
    assert await b.run_periodic("coordinator-digest")
    async with session_factory() as session:
        runs = list(await session.scalars(select(PeriodicJobRun).order_by(PeriodicJobRun.period_key)))
        queued = list(await session.scalars(select(OutboxNotification)))
    assert [(r.period_key, r.claimed_by) for r in runs] == [("2026-11-23T07:30", "a"), ("2026-11-24T07:30", "b")]
    assert len(queued) == 2


async def test_the_autumn_fold_is_one_period(session_factory, clock) -> None:
    # 01:30 happens twice in London on 25 October 2026 (BST, then GMT): still one run.
    scheduler = replica(session_factory, clock, "a")
    scheduler.add_periodic_job("night", "30 1 * * *", digest)
    clock.set(datetime(2026, 10, 25, 0, 30, 1, tzinfo=UTC))  # 01:30 BST
    assert await scheduler.run_periodic("night")
    clock.set(datetime(2026, 10, 25, 1, 30, 1, tzinfo=UTC))  # 01:30 GMT
    assert not await scheduler.run_periodic("night")


async def test_the_tick_wakes_the_dispatcher(session_factory, clock) -> None:
    woken = asyncio.Event()
    scheduler = replica(session_factory, clock, "a", wake=woken.set, tick=0.05)
    scheduler.start()
    try:
        await asyncio.wait_for(woken.wait(), 30)
    finally:
        scheduler.shutdown()
