"""Giving up a place, the common case (nobody waiting for it), decides on the catalogue kept in memory: the run's
graph is not loaded, and the kept copy is checked against the catalogue version read under the run's lock."""

from __future__ import annotations

from sqlalchemy import update

from classroom.enrolment import notices
from storage.models import Course, EnrolmentStatus
from tests.classroom.enrolment.conftest import ALEX, ISAIAH, PATTI
from tests.support.enrolment import BHCC, MULTI, MULTI_RUN, ONE_DAY_RUN, TRAINER_AAD, outbox
from tests.support.statements import statements

_RUN_GRAPH = ("FROM run_sessions", "FROM run_prices", "FROM run_trainers", "FROM run_eligible_organisations")


async def test_giving_up_a_place_loads_no_run_graph(service, engine, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ISAIAH, MULTI_RUN)
    with statements(engine) as seen:
        withdrawal = await service.withdraw(ALEX, MULTI_RUN, reason="A court date")
    assert withdrawal.previous == EnrolmentStatus.CONFIRMED and withdrawal.calendar_link is not None
    assert not [s for s in seen if any(graph in s for graph in _RUN_GRAPH)], seen
    assert len([s for s in seen if "FROM enrolments" in s or "FROM people" in s and "enrolments" in s]) == 1, seen
    told = {row.recipient_aad_object_id: row.payload for row in await outbox(session_factory, notices.WITHDRAWN)}
    payload = told[TRAINER_AAD]
    assert (payload["participant_name"], payload["organisation_name"]) == ("Alex Wilber", BHCC)
    assert (payload["places_left"], payload["capacity"], payload["had_status"]) == (2, 3, "confirmed")
    assert payload["run"]["course_code"] == MULTI and len(payload["sessions"]) == 4
    assert [v.status for v in await service.my_enrolments(ALEX)] == []
    again = await service.enrol(ALEX, MULTI_RUN)  # the row given up is taken again, a round later
    assert again.status == EnrolmentStatus.CONFIRMED


async def test_a_catalogue_change_by_anyone_is_what_the_notice_says(service, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN)  # the catalogue is kept in memory from here
    async with session_factory.begin() as session:  # someone else's plain UPDATE
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Renamed by hand"))
    await service.withdraw(ALEX, MULTI_RUN)
    [row, *_] = await outbox(session_factory, notices.WITHDRAWN)
    assert row.payload["run"]["course_title"] == "Renamed by hand"


async def test_leaving_the_waitlist_and_freeing_a_place_for_someone_waiting(service, session_factory) -> None:
    """Not the common case: a place freed while people wait is offered (the run's whole graph is read for it)."""
    await service.enrol(ISAIAH, ONE_DAY_RUN)  # its only place
    await service.join_waitlist(ALEX, ONE_DAY_RUN)
    await service.join_waitlist(PATTI, ONE_DAY_RUN)
    assert (await service.withdraw(PATTI, ONE_DAY_RUN)).previous == EnrolmentStatus.WAITLISTED
    await service.withdraw(ISAIAH, ONE_DAY_RUN)
    [alex] = await service.my_enrolments(ALEX)
    assert alex.status == EnrolmentStatus.OFFERED
    [row] = await outbox(session_factory, notices.WITHDRAWN)
    assert (row.payload["offered_to_waitlist"], row.payload["places_left"]) == (True, 0)
