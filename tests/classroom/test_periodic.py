"""A periodic job runs once per period, however many replicas fire it, and a failed run can be retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.errors import InvalidInput
from classroom.periodic import PeriodicJob, claim_period, run_once_per_period
from storage.models import OutboxNotification, PeriodicJobRun
from tests.support.notices import queue_text

DIGEST_DUE = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)


def digest_job(runs: list[str], label: str) -> PeriodicJob:
    async def job(session: AsyncSession) -> None:
        runs.append(label)
        await queue_text(session, "digest", key=f"digest:{label}", due_at=DIGEST_DUE)

    return job


async def count(session_factory: async_sessionmaker[AsyncSession], model: type) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_only_the_first_replica_runs_a_period(session_factory, clock) -> None:
    runs: list[str] = []
    first = await run_once_per_period(
        session_factory, "digest", "2026-11-23T07:30", digest_job(runs, "a"), now=clock.now(), claimed_by="replica-a"
    )
    second = await run_once_per_period(
        session_factory, "digest", "2026-11-23T07:30", digest_job(runs, "b"), now=clock.now(), claimed_by="replica-b"
    )
    assert (first, second, runs) == (True, False, ["a"])
    assert await count(session_factory, OutboxNotification) == 1


async def test_each_period_and_each_job_is_separate(session_factory, clock) -> None:
    runs: list[str] = []
    assert await run_once_per_period(session_factory, "digest", "p1", digest_job(runs, "1"), now=clock.now())
    assert await run_once_per_period(session_factory, "digest", "p2", digest_job(runs, "2"), now=clock.now())
    assert await run_once_per_period(session_factory, "other", "p1", digest_job(runs, "3"), now=clock.now())
    assert runs == ["1", "2", "3"]


async def test_concurrent_replicas_run_a_period_exactly_once(session_factory, clock) -> None:
    runs: list[str] = []

    async def replica(name: str) -> bool:
        return await run_once_per_period(
            session_factory, "digest", "p", digest_job(runs, name), now=clock.now(), claimed_by=name
        )

    results = await asyncio.gather(*(replica(f"r{i}") for i in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert len(runs) == 1
    assert await count(session_factory, OutboxNotification) == 1


async def test_a_failed_run_releases_the_period_and_its_effects(session_factory, clock) -> None:
    async def failing(session: AsyncSession) -> None:
        await queue_text(session, "half", due_at=clock.now())
        raise RuntimeError("database said no")

    with pytest.raises(RuntimeError):
        await run_once_per_period(session_factory, "digest", "p", failing, now=clock.now())
    assert await count(session_factory, PeriodicJobRun) == 0
    assert await count(session_factory, OutboxNotification) == 0
    runs: list[str] = []
    assert await run_once_per_period(session_factory, "digest", "p", digest_job(runs, "retry"), now=clock.now())
    assert runs == ["retry"]


async def test_claim_in_the_callers_transaction(session_factory, clock) -> None:
    async with session_factory.begin() as session:
        assert await claim_period(session, "job", "p", now=clock.now(), claimed_by="me")
        assert not await claim_period(session, "job", "p", now=clock.now())
    async with session_factory() as session:
        run = await session.get(PeriodicJobRun, ("job", "p"))
    assert run is not None and run.claimed_by == "me" and run.claimed_at == clock.now()


async def test_claim_needs_a_name_and_a_period(session_factory, clock) -> None:
    async with session_factory.begin() as session:
        with pytest.raises(InvalidInput):
            await claim_period(session, "", "p", now=clock.now())
