"""The last place under concurrency: many people, each on their own engine and connection, race for one place.

Exactly one gets it. On PostgreSQL the run's row lock serialises them; on SQLite the database's single write
lock does, and a "database is locked" error (no busy wait, or at commit) is retried, never double-booked.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from classroom.enrolment import notices
from classroom.enrolment.errors import CourseFull
from classroom.enrolment.service import EnrolmentService
from classroom.errors import TryAgain
from storage.engine import create_engine, create_session_factory
from storage.models import Enrolment, EnrolmentStatus
from tests.classroom.enrolment.conftest import ALEX, ISAIAH
from tests.support.enrolment import MULTI_RUN, add_person, outbox

RACERS = 12


async def _racers(session_factory, clock, db_url: str, **engine_options: Any) -> list[tuple[str, EnrolmentService]]:
    """One engine (so one connection) per racer, each already connected, so they start together."""
    racers = []
    for i in range(RACERS):
        aad = f"aad-racer-{i}"
        await add_person(session_factory, aad, f"Racer {i}")
        engine = create_engine(db_url, **engine_options)
        racers.append((aad, EnrolmentService(create_session_factory(engine), clock)))
    for aad, service in racers:
        await service.quote(aad, MULTI_RUN)  # opens the connection
    return racers


async def _dispose(racers: list[tuple[str, EnrolmentService]]) -> None:
    for _, service in racers:
        await service._session_factory.kw["bind"].dispose()


async def _race(racers: list[tuple[str, EnrolmentService]]) -> list[Any]:
    start = asyncio.Event()

    async def run(aad: str, service: EnrolmentService) -> Any:
        await start.wait()
        return await service.enrol(aad, MULTI_RUN)

    tasks = [asyncio.create_task(run(aad, service)) for aad, service in racers]
    await asyncio.sleep(0)  # let every task reach the start line
    start.set()
    return await asyncio.gather(*tasks, return_exceptions=True)


async def _held_places(session_factory) -> int:
    """Confirmed places (every enrolment in these tests is on the four-session run)."""
    async with session_factory() as session:
        statement = select(func.count(Enrolment.id)).where(Enrolment.status == EnrolmentStatus.CONFIRMED)
        return int(await session.scalar(statement) or 0)


async def test_many_people_racing_for_the_last_place_exactly_one_gets_it(
    service, session_factory, clock, db_url
) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ISAIAH, MULTI_RUN)  # 2 of 3 places taken: one left
    racers = await _racers(session_factory, clock, db_url)
    try:
        outcomes = await _race(racers)
    finally:
        await _dispose(racers)
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(winners) == 1 and winners[0].status == EnrolmentStatus.CONFIRMED
    assert all(isinstance(o, CourseFull) for o in outcomes if o is not winners[0]), outcomes
    assert await _held_places(session_factory) == 3
    winner_reminders = await outbox(session_factory, notices.REMINDER)
    assert len(winner_reminders) == 36  # 12 each for Alex, Isaiah and the one winner, nobody else


async def test_sqlite_without_busy_waiting_still_never_double_books(service, session_factory, clock, db_url) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's busy timeout; PostgreSQL waits on the row lock instead")
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ISAIAH, MULTI_RUN)
    # timeout=0: a writer that finds the database locked fails at once ("database is locked") and is retried.
    racers = await _racers(session_factory, clock, db_url, connect_args={"timeout": 0})
    try:
        outcomes = await _race(racers)
    finally:
        await _dispose(racers)
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(winners) <= 1
    assert all(isinstance(o, CourseFull | TryAgain) for o in outcomes if not winners or o is not winners[0]), outcomes
    assert await _held_places(session_factory) == 2 + len(winners) <= 3


def _busy_on_first_commit(engine: AsyncEngine) -> list[int]:
    """Make the next COMMIT on this engine fail as a busy SQLite would; returns a list counting the failures."""
    dialect = engine.sync_engine.dialect
    real_commit = dialect.do_commit
    failures: list[int] = []

    def do_commit(dbapi_connection: Any) -> None:
        if not failures:
            failures.append(1)
            raise sqlite3.OperationalError("database is locked")
        real_commit(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    return failures


async def test_sqlite_busy_at_commit_is_retried_and_books_once(service, session_factory, clock, db_url) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("injects SQLite's busy error")
    engine = create_engine(db_url)
    try:
        failures = _busy_on_first_commit(engine)
        booked = await EnrolmentService(create_session_factory(engine), clock).enrol(ALEX, MULTI_RUN)
    finally:
        await engine.dispose()
    assert failures == [1]  # the first attempt's commit failed, and was rolled back
    assert booked.status == EnrolmentStatus.CONFIRMED
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Enrolment.id))) == 1
    assert len(await outbox(session_factory, notices.REMINDER)) == 12  # planned once, by the retry
