"""Reminders per enrolment, session and offset: planned on confirmation, never stale, right across daylight
saving, re-planned when a session moves; the trainers' own reminder an hour before with the roster count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from classroom.catalogue.importer import import_catalogue
from classroom.enrolment import notices
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.jobs import enrolment_housekeeping
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from classroom.errors import InvalidInput, NotAllowed
from classroom.periodic import run_once_per_period
from storage.models import NotificationStatus
from tests.classroom.enrolment.conftest import ALEX, FIRST_DAY, ISAIAH, PATTI
from tests.support.enrolment import (
    COORDINATOR_AAD,
    DOWNLAND,
    MULTI_RUN,
    TRAINER_AAD,
    add_person,
    load_world,
    london,
    outbox,
    weekly_session,
    world,
)

DAY, HOUR = timedelta(days=1), timedelta(hours=1)


async def _housekeeping(session_factory, clock, policy: EnrolmentPolicy) -> None:
    job = enrolment_housekeeping(clock, policy)
    await run_once_per_period(session_factory, "enrolment-housekeeping", clock.now().isoformat(), job, now=clock.now())


def _due(rows) -> dict[tuple[int, int], datetime]:
    """(session position, offset in hours) -> due time."""
    return {(r.payload["session"]["position"], r.payload["offset_seconds"] // 3600): r.due_at for r in rows}


async def test_every_session_gets_a_reminder_at_each_offset(service, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    reminders = await outbox(session_factory, notices.REMINDER)
    assert len(reminders) == 12 and len({r.dedupe_key for r in reminders}) == 12
    assert {r.recipient_aad_object_id for r in reminders} == {ALEX}
    first = london(FIRST_DAY, time(10))  # December: GMT, so local and UTC agree
    due = _due(reminders)
    assert due[(1, 168)] == first - 7 * DAY and due[(1, 24)] == first - DAY and due[(1, 1)] == first - HOUR
    assert due[(4, 1)] == first + timedelta(weeks=3) - HOUR
    # Each expires when its session starts: never sent late, never revived once the session is past.
    assert all(r.expires_at == datetime.fromisoformat(r.payload["session"]["starts_at"]) for r in reminders)
    sample = reminders[-1].payload
    assert sample["session"] == {
        "position": 4,
        "count": 4,
        "starts_at": "2027-01-04T10:00:00Z",
        "ends_at": "2027-01-04T15:00:00Z",
    }
    assert sample["run"]["run_code"] == MULTI_RUN
    assert sample["run"]["join_url"] == "https://teams.microsoft.com/l/meetup-join/test-permx"
    assert sample["run"]["prerequisites"] == "Microsoft Teams, online learning session"


async def test_an_offset_already_passed_gets_no_reminder(service, session_factory, clock) -> None:
    clock.set(london(FIRST_DAY, time(10)) - 3 * DAY)
    await service.enrol(ALEX, MULTI_RUN)
    due = _due(await outbox(session_factory, notices.REMINDER))
    assert (1, 168) not in due and (1, 24) in due and (1, 1) in due
    assert len(due) == 11  # sessions 2-4 are all more than a week away
    assert all(moment > clock.now() for moment in due.values())


async def test_offsets_come_from_the_policy(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, "Alex Wilber")
    policy = EnrolmentPolicy(reminder_offsets=(timedelta(minutes=5), timedelta(days=2)))
    await EnrolmentService(session_factory, clock, policy).enrol(ALEX, MULTI_RUN)
    due = _due(await outbox(session_factory, notices.REMINDER))
    assert len(due) == 8 and due[(1, 0)] == london(FIRST_DAY, time(10)) - timedelta(minutes=5)


async def test_daylight_saving_week_keeps_local_times_and_replans_correctly(session_factory, clock) -> None:
    # Clocks go forward on Sunday 28 March 2027. Session 1 is Monday 22 March (GMT), session 2 Monday 29 (BST).
    await load_world(session_factory, world(date(2027, 3, 22)))
    await add_person(session_factory, ALEX, "Alex Wilber")
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    service = EnrolmentService(session_factory, clock)
    await service.enrol(ALEX, MULTI_RUN)
    due = _due(await outbox(session_factory, notices.REMINDER))
    # Session 2 starts 10:00 BST = 09:00 UTC. "7 days before" is 10:00 local on 22 March, which is GMT.
    assert due[(2, 168)] == datetime(2027, 3, 22, 10, 0, tzinfo=UTC)
    assert due[(2, 24)] == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)  # 10:00 BST on the day the clocks change
    assert due[(2, 1)] == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    assert due[(1, 24)] == datetime(2027, 3, 21, 10, 0, tzinfo=UTC)  # both GMT

    # Session 1 moves across the change to Tuesday 30 March, 10:00 BST: its reminders move with it.
    new_day = date(2027, 3, 30)
    moved = await service.move_session(
        COORDINATOR_AAD,
        MULTI_RUN,
        1,
        london(new_day, time(10)),
        london(new_day, time(15)),
        was=weekly_session(date(2027, 3, 22), 1),
    )
    assert moved.new.starts_at == datetime(2027, 3, 30, 9, 0, tzinfo=UTC) and moved.participants_told == 1
    due = _due(await outbox(session_factory, notices.REMINDER))
    assert due[(1, 168)] == datetime(2027, 3, 23, 10, 0, tzinfo=UTC)  # 10:00 GMT, a week before
    assert due[(1, 24)] == datetime(2027, 3, 29, 9, 0, tzinfo=UTC)
    assert due[(1, 1)] == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    cancelled = await outbox(session_factory, notices.REMINDER, status=NotificationStatus.CANCELLED)
    assert {r.payload["session"]["position"] for r in cancelled} == {1} and len(cancelled) == 3
    [notice] = await outbox(session_factory, notices.SESSION_MOVED)
    assert notice.payload["old"]["starts_at"] == "2027-03-22T10:00:00Z"
    assert notice.payload["new"]["starts_at"] == "2027-03-30T09:00:00Z"


async def test_a_moved_session_tells_everyone_holding_a_place(service, session_factory, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((3,), "court"))
    was = weekly_session(FIRST_DAY, 2)
    old_start = was[0]
    new_day = FIRST_DAY + timedelta(weeks=1, days=2)
    with pytest.raises(NotAllowed):
        await service.move_session(
            TRAINER_AAD, MULTI_RUN, 2, london(new_day, time(10)), london(new_day, time(15)), was=was
        )
    with pytest.raises(InvalidInput):  # overlaps session 1
        await service.move_session(COORDINATOR_AAD, MULTI_RUN, 2, old_start - timedelta(weeks=1), old_start, was=was)
    with pytest.raises(InvalidInput):
        await service.move_session(COORDINATOR_AAD, MULTI_RUN, 2, clock.now() - DAY, clock.now(), was=was)

    moved = await service.move_session(
        COORDINATOR_AAD, MULTI_RUN, 2, london(new_day, time(13)), london(new_day, time(16)), was=was
    )
    assert moved.old.starts_at == old_start and moved.participants_told == 2
    told = await outbox(session_factory, notices.SESSION_MOVED)
    assert {n.recipient_aad_object_id for n in told} == {ALEX, ISAIAH}
    alex = _due(await outbox(session_factory, notices.REMINDER, recipient=ALEX))
    assert alex[(2, 1)] == london(new_day, time(12)) and len(alex) == 12
    assert await outbox(session_factory, notices.REMINDER, recipient=ISAIAH) == []  # still under review


async def test_sessions_moved_by_a_catalogue_import_are_announced_once(service, session_factory, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    later = FIRST_DAY + timedelta(days=1)  # every session a day later (Tuesdays)
    async with session_factory.begin() as session:
        await import_catalogue(session, world(later))
    await _housekeeping(session_factory, clock, service.policy)
    told = await outbox(session_factory, notices.SESSION_MOVED)
    assert len(told) == 4 and {n.recipient_aad_object_id for n in told} == {ALEX}
    due = _due(await outbox(session_factory, notices.REMINDER))
    assert due[(1, 1)] == london(later, time(9)) and len(due) == 12
    clock.advance(timedelta(minutes=1))
    await _housekeeping(session_factory, clock, service.policy)
    assert len(await outbox(session_factory, notices.SESSION_MOVED)) == 4  # told once


async def test_trainers_get_their_reminder_an_hour_before_with_the_roster_count(
    service, session_factory, clock
) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(PATTI, MULTI_RUN)
    await add_person(session_factory, "aad-late", "Late Comer", DOWNLAND)
    await service.enrol("aad-late", MULTI_RUN, clash=Clash((2,), "leave"))
    start = london(FIRST_DAY, time(10))
    clock.set(start - timedelta(minutes=61))
    await _housekeeping(session_factory, clock, service.policy)
    assert await outbox(session_factory, notices.TRAINER_REMINDER) == []  # not yet

    clock.set(start - timedelta(minutes=59))
    await _housekeeping(session_factory, clock, service.policy)
    [reminder] = await outbox(session_factory, notices.TRAINER_REMINDER)
    assert reminder.recipient_aad_object_id == TRAINER_AAD  # the unlinked trainer cannot be reached
    counts = (reminder.payload["confirmed"], reminder.payload["pending_review"], reminder.payload["capacity"])
    assert counts == (2, 1, 3)
    assert reminder.payload["session"]["position"] == 1
    assert reminder.expires_at == start

    clock.advance(timedelta(minutes=1))
    await _housekeeping(session_factory, clock, service.policy)
    assert len(await outbox(session_factory, notices.TRAINER_REMINDER)) == 1


async def test_the_trainers_reminder_counts_who_will_miss_the_session(service, session_factory, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    missing = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((1, 3), "court"))
    await service.decide_clash(TRAINER_AAD, missing.id, accept=True)
    clock.set(london(FIRST_DAY, time(10)) - timedelta(minutes=59))
    await _housekeeping(session_factory, clock, service.policy)
    [reminder] = await outbox(session_factory, notices.TRAINER_REMINDER)
    assert (reminder.payload["confirmed"], reminder.payload["missing"]) == (2, 1)
