"""Teams' events lost or out of order, and meetings opened early or left open: the register measures against the
scheduled session clipped to the meeting, a session never ended is closed by the periodic job (with the end's
effects, once), and a start delivered after the end posts nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from classroom.meetings.notices import MISSED, STARTED, SUMMARY
from classroom.meetings.sessions import LATE
from storage.models import AttendanceStatus, Certificate, Completion, MeetingSession, Person
from tests.support.enrolment import outbox
from tests.support.meetings import (
    ALEX,
    GROUP_CHAT,
    ISAIAH,
    JOIN,
    JOIN_URL,
    LEAVE,
    LYNNE,
    MEETING,
    MULTI_RUN,
    at,
    run_whole_session,
    session_times,
    who,
)
from tests.support.polls import TRAINER_AAD, chat_info

ATTENDED, PARTLY, ABSENT = AttendanceStatus.ATTENDED, AttendanceStatus.PARTLY, AttendanceStatus.ABSENT


async def _statuses(meetings, position: int = 1) -> dict[str, AttendanceStatus]:  # type: ignore[no-untyped-def]
    register = await meetings.register(MULTI_RUN, position, by=TRAINER_AAD)
    return {row.name: row.status for row in register.rows}


async def _stay(meetings, position: int, person: str, a: float, b: float) -> None:  # type: ignore[no-untyped-def]
    await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(person), at=at(position, a))
    await meetings.participants(GROUP_CHAT, MEETING, LEAVE, who(person), at=at(position, b))


async def _ended_at(session_factory, position: int):  # type: ignore[no-untyped-def]
    start, _ = session_times(position)
    async with session_factory() as session:
        meetings = (await session.scalars(select(MeetingSession))).all()
    [meeting] = [m for m in meetings if m.started_at is not None and abs(m.started_at - start) < timedelta(hours=2)]
    return meeting.ended_at


async def test_a_session_never_ended_is_measured_only_to_its_scheduled_end(meetings, clock) -> None:
    start, _ = session_times(1)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    await _stay(meetings, 1, ALEX, 0, 300)  # there the whole five hours
    await _stay(meetings, 1, LYNNE, 0, 150)
    clock.set(start + timedelta(days=3))  # the end event never came
    register = await meetings.register(MULTI_RUN, 1, by=TRAINER_AAD)
    assert register.span.length == timedelta(minutes=300)
    assert {r.name: r.status for r in register.rows} == {
        "Alex Wilber": ATTENDED,
        "Lynne Robbins": PARTLY,
        "Isaiah Langer": ABSENT,
    }


async def test_the_job_closes_a_last_session_never_ended_and_completes_the_run_once(
    meetings, session_factory, clock
) -> None:
    for position in (1, 2, 3):
        await run_whole_session(meetings, clock, position, present={ALEX: (0, 300), LYNNE: (0, 300), ISAIAH: (0, 300)})
    start, end = session_times(4)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    await _stay(meetings, 4, ALEX, 0, 290)
    await _stay(meetings, 4, LYNNE, 0, 280)
    job = meetings.stale_sessions_job()
    clock.set(end + LATE - timedelta(minutes=1))  # it may still be running: left alone
    async with session_factory.begin() as session:
        await job(session)
    assert await _ended_at(session_factory, 4) is None and await outbox(session_factory, SUMMARY) != []
    summaries_before = len(await outbox(session_factory, SUMMARY))
    clock.set(end + LATE + timedelta(minutes=1))
    async with session_factory.begin() as session:
        await job(session)
    assert await _ended_at(session_factory, 4) == at(4, 290)  # the last leave seen
    assert len(await outbox(session_factory, SUMMARY)) == summaries_before + 1
    assert ISAIAH in {m.recipient_aad_object_id for m in await outbox(session_factory, MISSED)}
    async with session_factory() as session:
        holders = await session.scalars(
            select(Person.aad_object_id).join(Certificate, Certificate.person_id == Person.id)
        )
        assert sorted(holders) == sorted([ALEX, LYNNE])
        assert await session.scalar(select(func.count()).select_from(Completion)) == 2
    # The job again, and the real end arriving late: nothing more.
    async with session_factory.begin() as session:
        await job(session)
    assert await meetings.ended(GROUP_CHAT, MEETING, at=end + LATE + timedelta(minutes=2)) is None
    assert len(await outbox(session_factory, SUMMARY)) == summaries_before + 1
    assert await _ended_at(session_factory, 4) == at(4, 290)


async def test_a_session_never_ended_with_no_leave_seen_closes_at_its_scheduled_end(
    meetings, session_factory, clock
) -> None:
    start, end = session_times(1)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(ALEX), at=at(1, 0))
    clock.set(end + timedelta(days=1))
    async with session_factory.begin() as session:
        await meetings.stale_sessions_job()(session)
    assert await _ended_at(session_factory, 1) == end
    assert (await _statuses(meetings))["Alex Wilber"] is ATTENDED


async def test_a_start_delivered_after_the_end_posts_nothing_and_changes_nothing(
    meetings, session_factory, clock
) -> None:
    start, _ = session_times(1)
    clock.set(at(1, 300))
    await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(ALEX), at=at(1, 0))
    assert await meetings.ended(GROUP_CHAT, MEETING, at=at(1, 300)) is not None
    assert await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=at(1, 30)) is None
    assert await outbox(session_factory, STARTED) == []
    async with session_factory() as session:
        [meeting] = (await session.scalars(select(MeetingSession))).all()
    assert meeting.started_at is None
    register = await meetings.register(MULTI_RUN, 1, by=TRAINER_AAD)
    assert register.span.start == start and register.span.length == timedelta(minutes=300)


async def test_a_meeting_opened_early_and_left_open_measures_the_scheduled_session(meetings, clock) -> None:
    start, end = session_times(1)
    clock.set(start - timedelta(minutes=55))
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start - timedelta(minutes=55))  # EARLY
    await _stay(meetings, 1, ALEX, -55, 405)  # the trainer's laptop on all along
    await _stay(meetings, 1, LYNNE, 0, 225)  # exactly 75% of the scheduled five hours
    await _stay(meetings, 1, ISAIAH, 0, 224)  # a minute short
    clock.set(at(1, 410))
    register = await meetings.ended(GROUP_CHAT, MEETING, at=at(1, 410))  # left open well after the session
    assert register is not None
    assert (register.span.start, register.span.end) == (start, end)
    rows = {r.name: r for r in register.rows}
    assert rows["Alex Wilber"].status is ATTENDED and rows["Alex Wilber"].present == timedelta(minutes=300)
    assert rows["Lynne Robbins"].status is ATTENDED
    assert rows["Isaiah Langer"].status is PARTLY


async def test_a_meeting_ending_early_still_measures_against_its_real_end(meetings, clock) -> None:
    start, _ = session_times(1)
    clock.set(start + timedelta(minutes=10))
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start + timedelta(minutes=10))  # late start
    await _stay(meetings, 1, LYNNE, 10, 160)  # the whole of a session finished early
    clock.set(at(1, 160))
    register = await meetings.ended(GROUP_CHAT, MEETING, at=at(1, 160))
    assert register is not None and register.span.length == timedelta(minutes=150)
    assert {r.name: r.status for r in register.rows}["Lynne Robbins"] is ATTENDED
