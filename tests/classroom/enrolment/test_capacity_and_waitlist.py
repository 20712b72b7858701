"""Places, the waitlist with positions, time-limited offers passing to the next person, and cancellation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from classroom.catalogue.file_format import RunSpec
from classroom.catalogue.importer import import_catalogue
from classroom.enrolment import notices
from classroom.enrolment.errors import AlreadyEnrolled, CourseFull, NoEnrolment, OfferExpired
from classroom.enrolment.jobs import enrolment_housekeeping
from classroom.periodic import run_once_per_period
from storage.models import CourseRun, Enrolment, EnrolmentStatus, NotificationStatus
from tests.classroom.enrolment.conftest import ALEX, FIRST_DAY, ISAIAH, PATTI
from tests.support.enrolment import (
    BHCC,
    DOWNLAND,
    MULTI_RUN,
    ONE_DAY,
    ONE_DAY_RUN,
    add_person,
    outbox,
    weekly_sessions,
    with_runs,
    world,
)

MORE = [f"aad-extra-{i}" for i in range(3)]


async def _fill_one_day_run(service) -> None:
    """ONEDAY-1 has one place: Alex takes it, Isaiah and Patti wait (in that order)."""
    await service.enrol(ALEX, ONE_DAY_RUN)
    for aad in (ISAIAH, PATTI):
        with pytest.raises(CourseFull):
            await service.enrol(aad, ONE_DAY_RUN)
        await service.join_waitlist(aad, ONE_DAY_RUN)


async def _housekeeping(session_factory, clock, service) -> None:
    job = enrolment_housekeeping(clock, service.policy)
    await run_once_per_period(session_factory, "enrolment-housekeeping", clock.now().isoformat(), job, now=clock.now())


async def test_a_full_run_offers_the_waitlist_with_positions(service) -> None:
    await service.enrol(ALEX, ONE_DAY_RUN)
    with pytest.raises(CourseFull) as full:
        await service.enrol(ISAIAH, ONE_DAY_RUN)
    assert full.value.position == 1 and not full.value.already_waitlisted
    first = await service.join_waitlist(ISAIAH, ONE_DAY_RUN)
    second = await service.join_waitlist(PATTI, ONE_DAY_RUN)
    assert (first.status, first.waitlist_position) == (EnrolmentStatus.WAITLISTED, 1)
    assert (second.status, second.waitlist_position) == (EnrolmentStatus.WAITLISTED, 2)
    # Asking again changes nothing and says where they are.
    again = await service.join_waitlist(PATTI, ONE_DAY_RUN)
    assert (again.id, again.waitlist_position) == (second.id, 2)
    with pytest.raises(CourseFull) as waiting:
        await service.enrol(PATTI, ONE_DAY_RUN)
    assert waiting.value.already_waitlisted and waiting.value.position == 2
    [mine] = await service.my_enrolments(PATTI)
    assert (mine.run.run_code, mine.status, mine.waitlist_position) == (ONE_DAY_RUN, EnrolmentStatus.WAITLISTED, 2)


async def test_a_cancelled_place_is_offered_to_the_first_in_line_for_48_hours(service, session_factory, clock) -> None:
    await _fill_one_day_run(service)
    assert (await service.withdraw(ALEX, ONE_DAY_RUN)).previous == EnrolmentStatus.CONFIRMED

    [isaiah] = await service.my_enrolments(ISAIAH)
    assert isaiah.status == EnrolmentStatus.OFFERED
    assert isaiah.offer_expires_at == clock.now() + timedelta(hours=48)
    [patti] = await service.my_enrolments(PATTI)
    assert patti.waitlist_position == 1  # moved up
    [offer] = await outbox(session_factory, notices.WAITLIST_OFFER)
    assert offer.recipient_aad_object_id == ISAIAH
    assert offer.payload["run"]["run_code"] == ONE_DAY_RUN and offer.payload["price_pence"] == 11000
    # The held place is not free for anyone else.
    assert (await service.quote(ALEX, ONE_DAY_RUN)).places_left == 0

    taken = await service.enrol(ISAIAH, ONE_DAY_RUN)
    assert taken.status == EnrolmentStatus.CONFIRMED
    assert await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)


async def test_an_offer_not_taken_up_in_time_passes_to_the_next_person(service, session_factory, clock) -> None:
    await _fill_one_day_run(service)
    await service.withdraw(ALEX, ONE_DAY_RUN)
    clock.advance(timedelta(hours=47, minutes=59))
    await _housekeeping(session_factory, clock, service)
    assert (await service.my_enrolments(ISAIAH))[0].status == EnrolmentStatus.OFFERED  # not yet

    clock.advance(timedelta(minutes=1))
    await _housekeeping(session_factory, clock, service)
    assert await service.my_enrolments(ISAIAH) == []  # lapsed: off the waitlist
    [lapsed] = await outbox(session_factory, notices.OFFER_LAPSED)
    assert lapsed.recipient_aad_object_id == ISAIAH
    [patti] = await service.my_enrolments(PATTI)
    assert patti.status == EnrolmentStatus.OFFERED and patti.offer_expires_at == clock.now() + timedelta(hours=48)
    with pytest.raises(CourseFull):  # Isaiah's late acceptance finds the place gone to Patti
        await service.enrol(ISAIAH, ONE_DAY_RUN)


async def test_accepting_after_the_deadline_but_before_the_job_ran_is_refused(service, clock) -> None:
    await _fill_one_day_run(service)
    await service.withdraw(ALEX, ONE_DAY_RUN)
    clock.advance(timedelta(hours=48))
    with pytest.raises(OfferExpired):
        await service.enrol(ISAIAH, ONE_DAY_RUN)
    assert (await service.my_enrolments(PATTI))[0].status == EnrolmentStatus.OFFERED


async def test_an_offer_never_outlives_the_start_of_the_course(service, clock) -> None:
    await _fill_one_day_run(service)
    start = (await service.quote(ALEX, ONE_DAY_RUN)).run.first_start
    clock.set(start - timedelta(hours=5))
    await service.withdraw(ALEX, ONE_DAY_RUN)
    assert (await service.my_enrolments(ISAIAH))[0].offer_expires_at == start


async def test_declining_an_offer_passes_it_on(service, session_factory) -> None:
    await _fill_one_day_run(service)
    await service.withdraw(ALEX, ONE_DAY_RUN)
    with pytest.raises(NoEnrolment):
        await service.decline_offer(PATTI, ONE_DAY_RUN)  # Patti has no offer yet
    assert (await service.decline_offer(ISAIAH, ONE_DAY_RUN)).previous == EnrolmentStatus.OFFERED
    assert (await service.my_enrolments(PATTI))[0].status == EnrolmentStatus.OFFERED


async def test_nobody_jumps_the_queue_when_capacity_grows(service, session_factory, clock) -> None:
    await _fill_one_day_run(service)
    async with session_factory.begin() as session:
        await session.execute(update(CourseRun).where(CourseRun.code == ONE_DAY_RUN).values(capacity=2))
    await add_person(session_factory, MORE[0], "Newcomer", BHCC)
    with pytest.raises(CourseFull):
        await service.enrol(MORE[0], ONE_DAY_RUN)  # the new place goes to Isaiah, first in line
    assert (await service.my_enrolments(ISAIAH))[0].status == EnrolmentStatus.OFFERED
    # The minutely job does the same when nobody comes along: Patti is offered the next new place.
    async with session_factory.begin() as session:
        await session.execute(update(CourseRun).where(CourseRun.code == ONE_DAY_RUN).values(capacity=3))
    await _housekeeping(session_factory, clock, service)
    assert (await service.my_enrolments(PATTI))[0].status == EnrolmentStatus.OFFERED


async def test_a_repeated_enrolment_books_once(service, session_factory) -> None:
    first = await service.enrol(ALEX, MULTI_RUN)
    with pytest.raises(AlreadyEnrolled):
        await service.enrol(ALEX, MULTI_RUN)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Enrolment.id))) == 1
    assert len(await outbox(session_factory, notices.REMINDER)) == 12  # 4 sessions x 3 offsets, once
    assert first.status == EnrolmentStatus.CONFIRMED


async def test_cancelling_frees_the_place_and_cancels_reminders_and_coming_back_restores_them(
    service, session_factory
) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    assert (await service.withdraw(ALEX, MULTI_RUN)).previous == EnrolmentStatus.CONFIRMED
    assert await outbox(session_factory, notices.REMINDER) == []
    assert len(await outbox(session_factory, notices.REMINDER, status=NotificationStatus.CANCELLED)) == 12
    assert (await service.quote(ALEX, MULTI_RUN)).places_left == 3
    with pytest.raises(NoEnrolment):
        await service.withdraw(ALEX, MULTI_RUN)  # a replayed cancel changes nothing

    again = await service.enrol(ALEX, MULTI_RUN)
    assert again.status == EnrolmentStatus.CONFIRMED
    assert len(await outbox(session_factory, notices.REMINDER)) == 12  # the same reminders re-planned
    async with session_factory() as session:
        row = await session.get(Enrolment, again.id)
        assert row is not None and row.round == 2
        assert await session.scalar(select(func.count(Enrolment.id))) == 1


async def test_leaving_the_waitlist_moves_the_others_up(service) -> None:
    await _fill_one_day_run(service)
    assert (await service.withdraw(ISAIAH, ONE_DAY_RUN)).previous == EnrolmentStatus.WAITLISTED
    [patti] = await service.my_enrolments(PATTI)
    assert patti.waitlist_position == 1
    [alex] = await service.my_enrolments(ALEX)
    assert alex.status == EnrolmentStatus.CONFIRMED  # a waitlist exit frees no place


async def test_a_full_run_points_to_the_courses_other_dates_with_places(service, session_factory) -> None:
    later = FIRST_DAY + timedelta(days=9)
    other = RunSpec(code="ONEDAY-2", capacity=1, sessions=weekly_sessions(later, 1), prices_pence={1: 9500})
    downland_only = RunSpec(
        code="ONEDAY-3", capacity=5, sessions=weekly_sessions(later, 1), eligible_organisations=(DOWNLAND,)
    )
    async with session_factory.begin() as session:
        await import_catalogue(session, with_runs(world(FIRST_DAY), ONE_DAY, other, downland_only))
    await service.enrol(ISAIAH, ONE_DAY_RUN)

    full = await service.quote(ALEX, ONE_DAY_RUN)  # Alex works for Brighton & Hove: ONEDAY-3 is not for him
    assert full.full and [(c.run.run_code, c.places_left) for c in full.other_runs] == [("ONEDAY-2", 1)]
    assert [c.run.run_code for c in (await service.quote(PATTI, ONE_DAY_RUN)).other_runs] == ["ONEDAY-2"]
    assert (await service.quote(ALEX, "ONEDAY-2")).other_runs == ()  # not full: nothing else to suggest
    await service.enrol(PATTI, "ONEDAY-2")
    assert (await service.quote(ALEX, ONE_DAY_RUN)).other_runs == ()  # the other date is full too
