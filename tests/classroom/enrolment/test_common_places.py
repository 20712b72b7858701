"""Taking a free place in the common case decides on the catalogue kept in memory, checked against the catalogue
version read under the run's lock, and writes with plain statements (``common_places``); every other case is
taken as before (``enrolments.enrol``)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, update

from classroom.enrolment import notices
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.errors import AlreadyEnrolled, CourseFull, NotEligible
from storage.models import Course, Enrolment, EnrolmentStatus, RunSession
from tests.classroom.enrolment.conftest import ALEX, ISAIAH, LYNNE, PATTI
from tests.support.enrolment import BHCC, MULTI, MULTI_RUN, ONE_DAY_RUN, outbox
from tests.support.statements import statements

_NOT_FOR_PLANNING = ("FROM run_prices", "FROM run_trainers", "FROM run_eligible_organisations")


async def test_a_free_place_loads_only_what_planning_needs(service, engine, session_factory) -> None:
    await service.quote(ALEX, MULTI_RUN)  # the catalogue kept in memory is built on first use
    with statements(engine) as seen:
        view = await service.enrol(ALEX, MULTI_RUN, calendar_link=True)
    assert not [s for s in seen if any(table in s for table in _NOT_FOR_PLANNING)], seen
    assert view.status == EnrolmentStatus.CONFIRMED and view.calendar_link is not None
    assert (view.person_name, view.organisation_name, view.organisation_confirmed) == ("Alex Wilber", BHCC, True)
    assert view.price_pence is not None and [s.position for s in view.run.sessions] == [1, 2, 3, 4]
    assert len(await outbox(session_factory, notices.REMINDER)) > 0
    # The view built from what was written is the view read back.
    assert [replace(view, calendar_link=None)] == await service.my_enrolments(ALEX, MULTI_RUN)


async def test_taken_again_after_giving_it_up_is_a_new_round_with_no_clash_left(service, session_factory) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=Clash((2,), "Court date"))
    await service.withdraw(ALEX, MULTI_RUN)
    again = await service.enrol(ALEX, MULTI_RUN)
    assert again.id == pending.id and again.status == EnrolmentStatus.CONFIRMED and again.clash_sessions == ()
    async with session_factory() as session:
        row = await session.scalar(select(Enrolment).where(Enrolment.id == again.id))
        assert row is not None and (row.round, row.clash_reason, row.ended_at) == (2, None, None)
    with pytest.raises(AlreadyEnrolled):  # a redelivered press
        await service.enrol(ALEX, MULTI_RUN)


async def test_the_kept_catalogue_is_checked_and_refusals_stand(service, session_factory, clock) -> None:
    await service.quote(ALEX, MULTI_RUN)
    async with session_factory.begin() as session:  # someone else's plain UPDATE
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Renamed by hand"))
    assert (await service.enrol(ALEX, MULTI_RUN)).run.course_title == "Renamed by hand"
    with pytest.raises(NotEligible):
        await service.enrol(LYNNE, MULTI_RUN)  # Southcoast: not one of the run's organisations
    await service.enrol(PATTI, ONE_DAY_RUN)  # its only place
    with pytest.raises(CourseFull):
        await service.enrol(ISAIAH, ONE_DAY_RUN)


async def test_a_moved_session_is_announced_before_a_place_is_taken(service, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN)  # the session times people were told are recorded
    async with session_factory.begin() as session:  # an import moves the first session by an hour
        first = await session.scalar(select(RunSession).order_by(RunSession.starts_at).limit(1))
        assert first is not None
        await session.execute(
            update(RunSession)
            .where(RunSession.id == first.id)
            .values(starts_at=first.starts_at.replace(hour=first.starts_at.hour + 1))
        )
    await service.enrol(ISAIAH, MULTI_RUN)
    assert len(await outbox(session_factory, notices.SESSION_MOVED)) == 1  # Alex hears of it
