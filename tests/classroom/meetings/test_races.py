"""Two processes receiving the same meeting events at once (PostgreSQL; SQLite runs one transaction at a time, so
there is no race to lose): the same join recorded by both counts once, and the same end sets off its prompts,
summary and kind words once, whichever commits first."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from classroom.meetings import ending, events
from classroom.meetings.events import Participant
from classroom.meetings.notices import MISSED, SUMMARY
from classroom.meetings.policy import MeetingPolicy
from storage.engine import create_engine, create_session_factory
from storage.models import AttendanceEvent, ParticipantEvent
from tests.support.enrolment import outbox
from tests.support.meetings import ALEX, GROUP_CHAT, JOIN_URL, MEETING, at, session_times
from tests.support.polls import chat_info
from tests.support.races import postgres_only, race


@pytest.fixture
async def other_process(db_url, meetings):  # type: ignore[no-untyped-def]
    postgres_only(db_url)
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

    def join(s):  # type: ignore[no-untyped-def]
        return events.participants_moved(s, GROUP_CHAT, MEETING, ParticipantEvent.JOIN, alex, at=at(1, 1))

    first, second = await race(session_factory, engine, join, join, second_factory=other_process)
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

    first, second = await race(session_factory, engine, end_it, end_it, second_factory=other_process)
    assert first is not None and second is None
    assert len(await outbox(session_factory, SUMMARY)) == 1
    assert len(await outbox(session_factory, MISSED)) == 2  # Lynne and Isaiah, once each
