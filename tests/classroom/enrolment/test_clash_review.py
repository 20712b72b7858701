"""A clash with some sessions puts the place under trainer review; only the run's trainers and coordinators
decide, once, and the participant hears the outcome; every reviewer's card shows what was decided."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from classroom.enrolment import notices
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.errors import AlreadyDecided, CourseFull
from classroom.errors import InvalidInput, NotAllowed, NotFound
from storage.models import EnrolmentStatus, NotificationStatus, Role, RunTrainer
from tests.classroom.enrolment.conftest import ALEX, ISAIAH, PATTI
from tests.support.enrolment import (
    COORDINATOR_AAD,
    DOWNLAND,
    MULTI_RUN,
    ONE_DAY_RUN,
    OTHER_TRAINER_AAD,
    TRAINER_AAD,
    add_person,
    delivered,
    outbox,
)

COURT = Clash((3,), "I have a court date that morning <b>not markup</b>")


async def test_a_clash_holds_the_place_and_asks_the_linked_trainers(service, session_factory) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    assert pending.status == EnrolmentStatus.PENDING_REVIEW
    assert [s.position for s in pending.clash_sessions] == [3]
    assert pending.clash_reason == COURT.reason
    assert (await service.quote(ISAIAH, MULTI_RUN)).places_left == 2  # the place is held meanwhile
    [card] = await outbox(session_factory, notices.CLASH_REVIEW)
    assert card.recipient_aad_object_id == TRAINER_AAD  # Rebecca has no Teams account linked; Megan trains nothing
    assert card.payload["reason"] == COURT.reason and card.payload["participant_name"] == "Alex Wilber"
    assert card.payload["enrolment_id"] == pending.id and [s["position"] for s in card.payload["clash_sessions"]] == [3]
    assert await outbox(session_factory, notices.REMINDER) == []  # no reminders until accepted


async def test_only_the_runs_trainers_and_coordinators_may_decide(service) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    refusals = set()
    for outsider in (OTHER_TRAINER_AAD, ALEX, ISAIAH, "aad-never-seen"):
        with pytest.raises(NotAllowed) as refused:
            await service.decide_clash(outsider, pending.id, accept=True)
        refusals.add(str(refused.value))
    with pytest.raises(NotAllowed) as no_such:  # a number that does not exist is refused in the same words
        await service.decide_clash(TRAINER_AAD, pending.id + 1000, accept=True)
    assert refusals == {str(no_such.value)} and MULTI_RUN not in str(no_such.value)
    assert (await service.my_enrolments(ALEX))[0].status == EnrolmentStatus.PENDING_REVIEW


async def test_accepted_clash_confirms_without_reminders_for_the_missed_session(service, session_factory) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    decided = await service.decide_clash(TRAINER_AAD, pending.id, accept=True)
    assert decided.status == EnrolmentStatus.CONFIRMED and decided.reviewed_by == "Zoe Rosenfield"
    [decision] = await outbox(session_factory, notices.CLASH_DECISION)
    assert decision.recipient_aad_object_id == ALEX and decision.payload["accepted"] is True
    reminders = await outbox(session_factory, notices.REMINDER)
    assert sorted({r.payload["session"]["position"] for r in reminders}) == [1, 2, 4]
    assert len(reminders) == 9

    with pytest.raises(AlreadyDecided) as again:  # a second press, or another trainer
        await service.decide_clash(COORDINATOR_AAD, pending.id, accept=False)
    assert again.value.status == EnrolmentStatus.CONFIRMED and again.value.decided_by == "Zoe Rosenfield"


async def test_declined_clash_frees_the_place_for_the_waitlist(service, session_factory) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    await service.enrol(ISAIAH, MULTI_RUN)
    await service.enrol(PATTI, MULTI_RUN)
    await add_person(session_factory, "aad-waiting", "Waiting Person", DOWNLAND)
    with pytest.raises(CourseFull):
        await service.enrol("aad-waiting", MULTI_RUN)
    await service.join_waitlist("aad-waiting", MULTI_RUN)

    declined = await service.decide_clash(COORDINATOR_AAD, pending.id, accept=False)
    assert declined.status == EnrolmentStatus.DECLINED and declined.reviewed_by == "Adele Vance"
    [decision] = await outbox(session_factory, notices.CLASH_DECISION)
    assert decision.payload["accepted"] is False
    assert (await service.my_enrolments("aad-waiting"))[0].status == EnrolmentStatus.OFFERED
    assert await service.my_enrolments(ALEX) == []


async def test_withdrawing_while_under_review_ends_the_review(service, session_factory) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    await service.withdraw(ALEX, MULTI_RUN)
    assert await outbox(session_factory, notices.CLASH_REVIEW) == []  # the card had not gone out: cancelled
    with pytest.raises(AlreadyDecided) as late:
        await service.decide_clash(TRAINER_AAD, pending.id, accept=True)
    assert late.value.status == EnrolmentStatus.CANCELLED


async def test_without_a_linked_trainer_coordinators_review(service, session_factory) -> None:
    async with session_factory.begin() as session:
        await session.execute(update(RunTrainer).values(person_id=None))
    await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    [card] = await outbox(session_factory, notices.CLASH_REVIEW)
    assert card.recipient_aad_object_id == COORDINATOR_AAD


async def test_a_clash_must_name_a_session_and_a_reason(service) -> None:
    with pytest.raises(InvalidInput):
        await service.enrol(ALEX, MULTI_RUN, clash=Clash((9,), "court"))
    with pytest.raises(InvalidInput):
        await service.enrol(ALEX, MULTI_RUN, clash=Clash((2,), "   "))
    with pytest.raises(InvalidInput):
        await service.enrol(ALEX, ONE_DAY_RUN, clash=Clash((1,), "court"))  # one session: nothing to review
    assert await service.my_enrolments(ALEX) == []


async def test_every_reviewers_copy_shows_the_decision_once_it_is_made(service, session_factory) -> None:
    """No copy keeps Accept and Decline after someone decided: the sent ones are replaced, unsent ones dropped."""
    async with session_factory.begin() as session:
        await session.execute(update(RunTrainer).values(person_id=None))  # the coordinators review
    await add_person(session_factory, "aad-coordinator-2", "Megan Bowen", roles=[Role.COORDINATOR])
    pending = await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    assert len(await outbox(session_factory, notices.CLASH_REVIEW)) == 2
    assert await delivered(session_factory, notices.CLASH_REVIEW, recipient="aad-coordinator-2") == 1
    assert (await service.clash_review(COORDINATOR_AAD, pending.id)).outcome is None

    await service.decide_clash(COORDINATOR_AAD, pending.id, accept=True, round_=1)
    [replaced] = await outbox(session_factory, notices.CLASH_REVIEW)  # due again, to replace Megan's message
    assert replaced.recipient_aad_object_id == "aad-coordinator-2" and replaced.activity_id is not None
    outcome = replaced.payload["outcome"]
    assert (outcome["decision"], outcome["by"]) == ("accepted", "Adele Vance")
    [dropped] = await outbox(session_factory, notices.CLASH_REVIEW, status=NotificationStatus.CANCELLED)
    assert dropped.recipient_aad_object_id == COORDINATOR_AAD  # never sent: nobody needs it now
    review = await service.clash_review("aad-coordinator-2", pending.id)
    assert review.outcome is not None and review.outcome.decision == "accepted" and review.outcome.by == "Adele Vance"


async def test_a_withdrawn_request_shows_on_the_reviewers_cards(service, session_factory) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    await delivered(session_factory, notices.CLASH_REVIEW)
    await service.withdraw(ALEX, MULTI_RUN)
    [replaced] = await outbox(session_factory, notices.CLASH_REVIEW)
    assert replaced.payload["outcome"]["decision"] == "withdrawn"
    review = await service.clash_review(TRAINER_AAD, pending.id, round_=1)  # a card pressed late shows it too
    assert review.outcome is not None and review.outcome.decision == "withdrawn" and review.outcome.by is None
    with pytest.raises(NotFound):  # a card of a request from before this one
        await service.clash_review(TRAINER_AAD, pending.id, round_=7)


async def test_a_card_of_an_earlier_request_decides_nothing(service) -> None:
    first = await service.enrol(ALEX, MULTI_RUN, clash=COURT)
    await service.withdraw(ALEX, MULTI_RUN)
    again = await service.enrol(ALEX, MULTI_RUN, clash=Clash((2,), "A training day"))
    assert again.id == first.id  # the same row, a new round
    with pytest.raises(AlreadyDecided):
        await service.decide_clash(TRAINER_AAD, first.id, accept=True, round_=1)
    assert (await service.my_enrolments(ALEX))[0].status == EnrolmentStatus.PENDING_REVIEW
    review = await service.clash_review(TRAINER_AAD, first.id, round_=2)
    assert review.round == 2 and review.reason == "A training day" and review.outcome is None


async def test_a_clash_can_name_several_sessions(service, session_factory) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=Clash((4, 1), "Two court dates"))
    assert [s.position for s in pending.clash_sessions] == [1, 4]
    [card] = await outbox(session_factory, notices.CLASH_REVIEW)
    assert [s["position"] for s in card.payload["clash_sessions"]] == [1, 4]

    [roster] = await service.rosters(TRAINER_AAD, MULTI_RUN)
    [entry] = roster.pending_review
    assert entry.missed_sessions == (1, 4)
    assert [e.name for e in roster.missing(1)] == ["Alex Wilber"] and roster.missing(2) == ()

    await service.decide_clash(TRAINER_AAD, pending.id, accept=True)
    [decision] = await outbox(session_factory, notices.CLASH_DECISION)
    assert [s["position"] for s in decision.payload["clash_sessions"]] == [1, 4]
    reminders = await outbox(session_factory, notices.REMINDER)
    assert sorted({r.payload["session"]["position"] for r in reminders}) == [2, 3]  # none for the missed ones
    [roster] = await service.rosters(COORDINATOR_AAD, MULTI_RUN)
    assert roster.confirmed[0].missed_sessions == (1, 4) and roster.missing(4) == roster.confirmed


async def test_a_clash_with_every_session_is_not_a_place(service) -> None:
    with pytest.raises(InvalidInput, match="every session"):
        await service.enrol(ALEX, MULTI_RUN, clash=Clash((1, 2, 3, 4), "I am away all autumn"))
    with pytest.raises(InvalidInput):
        await service.enrol(ALEX, MULTI_RUN, clash=Clash((2, 5), "court"))  # session 5 does not exist
    with pytest.raises(InvalidInput):
        await service.enrol(ALEX, MULTI_RUN, clash=Clash((), "court"))
    assert await service.my_enrolments(ALEX) == []


async def test_coming_back_after_a_clash_starts_without_it(service) -> None:
    await service.enrol(ALEX, MULTI_RUN, clash=Clash((1, 4), "court"))
    await service.withdraw(ALEX, MULTI_RUN)
    again = await service.enrol(ALEX, MULTI_RUN)
    assert again.status == EnrolmentStatus.CONFIRMED and again.clash_sessions == ()
