"""Giving up a place tells the run's trainers and the coordinators, with the person's reason if they gave one;
leaving a waitlist or turning down an offer tells nobody."""

from __future__ import annotations

import pytest

from classroom.coordinators import ChatMember, set_coordinators_conversation
from classroom.enrolment import notices
from classroom.enrolment.enrolments import MAX_REASON_LENGTH, Clash
from classroom.enrolment.errors import CourseFull, NoEnrolment
from classroom.errors import InvalidInput
from classroom.people import assign_roles
from storage.models import EnrolmentStatus, Role
from tests.classroom.enrolment.conftest import ALEX, ISAIAH, PATTI
from tests.support.enquiries import COORDINATORS_CHAT, conversation_record, store_conversations
from tests.support.enrolment import BHCC, COORDINATOR_AAD, MULTI_RUN, ONE_DAY_RUN, TRAINER_AAD, outbox


async def _told(session_factory) -> dict[str, dict]:  # type: ignore[type-arg]
    """Recipient (or chat) -> payload of each withdrawal notice queued."""
    rows = await outbox(session_factory, notices.WITHDRAWN)
    return {row.recipient_aad_object_id or row.conversation_key or "": row.payload for row in rows}


async def test_a_place_given_up_tells_the_trainers_and_coordinators_why(service, session_factory, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    withdrawal = await service.withdraw(ALEX, MULTI_RUN, reason="  My caseload has changed  ")
    assert withdrawal.previous == EnrolmentStatus.CONFIRMED
    told = await _told(session_factory)
    assert set(told) == {TRAINER_AAD, COORDINATOR_AAD}  # Rebecca has no Teams account linked
    payload = told[TRAINER_AAD]
    assert payload == told[COORDINATOR_AAD]
    assert (payload["participant_name"], payload["organisation_name"]) == ("Alex Wilber", BHCC)
    assert (payload["reason"], payload["had_status"]) == ("My caseload has changed", "confirmed")
    assert (payload["offered_to_waitlist"], payload["places_left"], payload["capacity"]) == (False, 3, 3)
    assert payload["run"]["run_code"] == MULTI_RUN and len(payload["sessions"]) == 4

    with pytest.raises(NoEnrolment):  # a replayed press changes nothing and tells nobody again
        await service.withdraw(ALEX, MULTI_RUN, reason="again")
    assert len(await outbox(session_factory, notices.WITHDRAWN)) == 2


async def test_without_a_reason_and_with_people_waiting(service, session_factory) -> None:
    await service.enrol(ISAIAH, ONE_DAY_RUN)
    with pytest.raises(CourseFull):
        await service.enrol(ALEX, ONE_DAY_RUN)
    await service.join_waitlist(ALEX, ONE_DAY_RUN)
    await service.withdraw(ISAIAH, ONE_DAY_RUN)
    [to_coordinator] = (await _told(session_factory)).values()  # the one-day run has no trainer linked
    assert to_coordinator["reason"] is None and to_coordinator["offered_to_waitlist"] is True
    assert to_coordinator["places_left"] == 0  # the place is held for Alex


async def test_a_place_under_review_given_up_is_told_too(service, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN, clash=Clash((2,), "court"))
    await service.withdraw(ALEX, MULTI_RUN)
    assert {p["had_status"] for p in (await _told(session_factory)).values()} == {"pending_review"}


async def test_leaving_a_waitlist_or_turning_down_an_offer_tells_nobody(service, session_factory) -> None:
    await service.enrol(ISAIAH, ONE_DAY_RUN)
    for person in (ALEX, PATTI):
        with pytest.raises(CourseFull):
            await service.enrol(person, ONE_DAY_RUN)
        await service.join_waitlist(person, ONE_DAY_RUN)
    await service.withdraw(PATTI, ONE_DAY_RUN, reason="found another course")
    assert await _told(session_factory) == {}
    await service.withdraw(ISAIAH, ONE_DAY_RUN)  # Isaiah's place goes to Alex, who turns it down
    await service.decline_offer(ALEX, ONE_DAY_RUN)
    assert len(await _told(session_factory)) == 1  # Isaiah's place only


async def test_someone_both_trainer_and_coordinator_hears_once(service, session_factory) -> None:
    async with session_factory.begin() as session:
        await assign_roles(session, TRAINER_AAD, [Role.TRAINER, Role.COORDINATOR])
    await service.enrol(ALEX, MULTI_RUN)
    await service.withdraw(ALEX, MULTI_RUN)
    rows = await outbox(session_factory, notices.WITHDRAWN)
    assert sorted(r.recipient_aad_object_id for r in rows) == sorted([TRAINER_AAD, COORDINATOR_AAD])


async def test_the_coordinators_chat_gets_one_copy_and_the_trainer_their_own(service, session_factory, clock) -> None:
    await store_conversations(session_factory, conversation_record(COORDINATORS_CHAT, "groupChat"))
    async with session_factory.begin() as session:
        await set_coordinators_conversation(
            session,
            COORDINATORS_CHAT,
            by=COORDINATOR_AAD,
            now=clock.now(),
            members=[ChatMember(COORDINATOR_AAD, "Adele Vance")],  # Teams lists only coordinators there
        )
    await service.enrol(ALEX, MULTI_RUN)
    await service.withdraw(ALEX, MULTI_RUN)
    assert set(await _told(session_factory)) == {COORDINATORS_CHAT, TRAINER_AAD}


async def test_a_reason_too_long_changes_nothing(service, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    with pytest.raises(InvalidInput):
        await service.withdraw(ALEX, MULTI_RUN, reason="x" * (MAX_REASON_LENGTH + 1))
    assert (await service.my_enrolments(ALEX))[0].status == EnrolmentStatus.CONFIRMED
    assert await _told(session_factory) == {}
