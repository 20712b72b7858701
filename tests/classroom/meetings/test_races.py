"""Two processes receiving the same meeting events at once (PostgreSQL; SQLite runs one transaction at a time, so
there is no race to lose): the same join recorded by both counts once, and the same end sets off its prompts,
summary and kind words once, whichever commits first."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from classroom.meetings import ending, events
from classroom.meetings.events import Participant
from classroom.meetings.notices import MISSED, SUMMARY
from classroom.meetings.policy import MeetingPolicy
from storage.engine import create_engine, create_session_factory
from storage.models import AttendanceEvent, ParticipantEvent
from tests.support.enrolment import outbox
from tests.support.meetings import ALEX, GROUP_CHAT, JOIN_URL, MEETING, at, session_times
from tests.support.polls import chat_info


def _postgres_only(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one transaction at a time: there is no race to lose")


async def _someone_waits_for_a_lock(engine) -> None:  # type: ignore[no-untyped-def]
    # Another backend waiting on a lock shows in pg_locks; there is no event to await across connections.
    async with engine.connect() as connection:
        waiting = text("SELECT count(*) FROM pg_locks WHERE NOT granted")
        while not await connection.scalar(waiting):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def _race(first_factory, second_factory, engine, unit):  # type: ignore[no-untyped-def]
    """``unit`` in a second process's transaction while the first's, having done the same, is still open; the
    first commits once the second waits for it."""

    async def run_second():  # type: ignore[no-untyped-def]
        async with second_factory.begin() as session:
            return await unit(session)

    async with first_factory.begin() as session:
        done = await unit(session)
        racer = asyncio.create_task(run_second())
        await asyncio.wait_for(_someone_waits_for_a_lock(engine), 30)
    return done, (await asyncio.gather(racer, return_exceptions=True))[0]


@pytest.fixture
async def other_process(db_url, meetings):  # type: ignore[no-untyped-def]
    _postgres_only(db_url)
    engine = create_engine(db_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def test_the_same_join_received_by_two_processes_counts_once(
    meetings, other_process, session_factory, engine, clock
) -> None:
    start, _ = session_times(1)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    alex = [Participant(ALEX, "Alex Wilber")]
    first, second = await _race(
        session_factory,
        other_process,
        engine,
        lambda s: events.participants_moved(s, GROUP_CHAT, MEETING, ParticipantEvent.JOIN, alex, at=at(1, 1)),
    )
    assert (first, second) == (1, 0)
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(AttendanceEvent)) == 1


async def test_the_same_end_received_by_two_processes_has_its_effects_once(
    meetings, other_process, session_factory, engine, clock
) -> None:
    start, end = session_times(1)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    await meetings.participants(GROUP_CHAT, MEETING, ParticipantEvent.JOIN, [Participant(ALEX, "Alex")], at=start)
    clock.set(end)

    async def end_it(session):  # type: ignore[no-untyped-def]
        run_session = await events.record_end(session, GROUP_CHAT, MEETING, at=end)
        if run_session is None:
            return None
        return await ending.session_ended(session, run_session, now=end, policy=MeetingPolicy())

    first, second = await _race(session_factory, other_process, engine, end_it)
    assert first is not None and second is None
    assert len(await outbox(session_factory, SUMMARY)) == 1
    assert len(await outbox(session_factory, MISSED)) == 2  # Lynne and Isaiah, once each
