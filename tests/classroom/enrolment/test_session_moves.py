"""A moved session: a clash with its old time no longer applies to it (whichever way the session moved; the clash's
other sessions stay), the participant and the trainers are told what it means for them, and a move happens only
as the coordinator saw it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from classroom.catalogue.importer import import_catalogue
from classroom.enrolment import notices
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.errors import AlreadyDecided, SessionChanged
from classroom.enrolment.jobs import enrolment_housekeeping
from classroom.enrolment.service import EnrolmentService
from classroom.errors import InvalidInput, NotAllowed
from classroom.periodic import run_once_per_period
from dialogs.enrolment.cards.clash_review import build_clash_decision_card
from dialogs.enrolment.cards.session_moved import build_session_moved_card
from storage.models import EnrolmentStatus, NotificationStatus, OutboxNotification, RunSession, RunTrainer
from tests.classroom.enrolment.conftest import ALEX, FIRST_DAY, ISAIAH
from tests.support.enrolment import (
    COORDINATOR_AAD,
    LONDON,
    MULTI_RUN,
    TRAINER_AAD,
    add_person,
    delivered,
    load_world,
    london,
    outbox,
    weekly_session,
    world,
)

SESSION_2 = weekly_session(FIRST_DAY, 2)  # Monday 21 December 2026, 10:00-15:00 GMT
NEW_DAY = FIRST_DAY + timedelta(weeks=1, days=2)  # Wednesday 23 December
NEW_TIME = (london(NEW_DAY, time(13)), london(NEW_DAY, time(16)))


async def _move_session_2(service: EnrolmentService):  # type: ignore[no-untyped-def]
    return await service.move_session(COORDINATOR_AAD, MULTI_RUN, 2, *NEW_TIME, was=SESSION_2)


async def _housekeeping(service: EnrolmentService, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    job = enrolment_housekeeping(clock, service.policy)
    await run_once_per_period(session_factory, "enrolment-housekeeping", clock.now().isoformat(), job, now=clock.now())


def _reminded_sessions(rows: list[OutboxNotification]) -> set[int]:
    return {row.payload["session"]["position"] for row in rows}


async def _calendar_sessions(service: EnrolmentService, aad_object_id: str) -> int:
    link = await service.issue_calendar_link(aad_object_id, MULTI_RUN)
    return len(Calendar.from_ical((await service.calendar_file(link.token)).content).walk("VEVENT"))


async def test_an_accepted_clash_with_the_old_time_no_longer_applies(service, session_factory) -> None:
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2,), "Court hearing on 21 December"))
    await service.decide_clash(TRAINER_AAD, pending.id, accept=True)
    assert _reminded_sessions(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)) == {1, 3, 4}
    assert await _calendar_sessions(service, ISAIAH) == 3

    moved = await _move_session_2(service)

    assert moved.participants_told == 1 and moved.clashes_cleared == 1 and moved.trainers_told == ("Zoe Rosenfield",)
    [mine] = await service.my_enrolments(ISAIAH)
    assert mine.status == EnrolmentStatus.CONFIRMED and mine.clash_sessions == ()  # no "you will miss this one"
    reminders = await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)
    assert _reminded_sessions(reminders) == {1, 2, 3, 4} and len(reminders) == 12
    assert min(r.due_at for r in reminders if r.payload["session"]["position"] == 2) == NEW_TIME[0] - timedelta(days=7)
    assert await _calendar_sessions(service, ISAIAH) == 4
    [told] = await outbox(session_factory, notices.SESSION_MOVED)
    assert told.recipient_aad_object_id == ISAIAH
    assert (told.payload["place"], told.payload["cleared_clash"]) == ("confirmed", "accepted")
    [trainer] = await outbox(session_factory, notices.TRAINER_SESSION_MOVED)
    assert trainer.recipient_aad_object_id == TRAINER_AAD  # Rebecca Watts has no Teams account linked
    assert trainer.payload["participants_told"] == 1 and trainer.payload["to_coordinators"] is False
    assert trainer.payload["cleared_clashes"] == [
        {"participant_name": "Isaiah Langer", "was": "accepted", "still_missing": []}
    ]
    assert trainer.payload["old"]["starts_at"] == "2026-12-21T10:00:00Z"


async def test_a_clash_waiting_for_review_is_confirmed_when_its_session_moves(service, session_factory) -> None:
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2,), "Court hearing"))
    assert await outbox(session_factory, notices.CLASH_REVIEW)  # the trainer's card, not sent yet

    await _move_session_2(service)

    [mine] = await service.my_enrolments(ISAIAH)
    assert mine.status == EnrolmentStatus.CONFIRMED and mine.clash_sessions == ()
    assert len(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)) == 12  # every session now
    assert await outbox(session_factory, notices.CLASH_REVIEW) == []  # the review card need not go out
    [told] = await outbox(session_factory, notices.SESSION_MOVED)
    assert (told.payload["place"], told.payload["cleared_clash"]) == ("confirmed", "pending_review")
    [trainer] = await outbox(session_factory, notices.TRAINER_SESSION_MOVED)
    assert trainer.payload["cleared_clashes"] == [
        {"participant_name": "Isaiah Langer", "was": "pending_review", "still_missing": []}
    ]
    with pytest.raises(AlreadyDecided) as late:  # a trainer presses Accept on a card already sent
        await service.decide_clash(TRAINER_AAD, pending.id, accept=False)
    assert late.value.status == EnrolmentStatus.CONFIRMED and late.value.decided_by is None


async def test_a_review_card_already_sent_says_the_move_cleared_the_clash(service, session_factory) -> None:
    """The trainer's copy no longer asks to accept or decline: it shows which session moved, from and to when, and
    that nothing is left to decide."""
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2,), "Court hearing"))
    assert await delivered(session_factory, notices.CLASH_REVIEW) == 1

    await _move_session_2(service)

    [replaced] = await outbox(session_factory, notices.CLASH_REVIEW)  # due again, to replace the trainer's message
    assert replaced.recipient_aad_object_id == TRAINER_AAD and replaced.activity_id is not None
    review = notices.ClashReviewNotice.model_validate(replaced.payload)
    assert review.enrolment_id == pending.id and review.reason == "Court hearing"
    assert review.clash_sessions == []  # no session of the clash is left
    assert review.moved is not None and review.moved.old.position == 2
    assert (review.moved.old.starts_at, review.moved.old.ends_at) == SESSION_2  # what they were asked about
    assert (review.moved.new.starts_at, review.moved.new.ends_at) == NEW_TIME
    assert review.outcome is not None and review.outcome.decision == "cleared" and review.outcome.by is None


async def test_a_clash_with_another_session_stays_and_the_notice_says_only_what_is_true(
    service, session_factory
) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((3,), "Leave"))

    await _move_session_2(service)

    [isaiah] = await service.my_enrolments(ISAIAH)
    assert isaiah.status == EnrolmentStatus.PENDING_REVIEW and isaiah.missed_positions == {3}
    moved = {n.recipient_aad_object_id: n.payload for n in await outbox(session_factory, notices.SESSION_MOVED)}
    assert (moved[ISAIAH]["place"], moved[ISAIAH]["cleared_clash"]) == ("pending_review", None)  # no reminders
    assert (moved[ALEX]["place"], moved[ALEX]["cleared_clash"]) == ("confirmed", None)
    assert await outbox(session_factory, notices.REMINDER, recipient=ISAIAH) == []


def _positions(sessions: list[dict[str, object]]) -> list[object]:
    return [s["position"] for s in sessions]


async def test_an_accepted_clash_with_several_sessions_keeps_the_ones_that_did_not_move(
    service, session_factory
) -> None:
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2, 3), "Court hearings"))
    await service.decide_clash(TRAINER_AAD, pending.id, accept=True)
    assert _reminded_sessions(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)) == {1, 4}

    moved = await _move_session_2(service)

    assert moved.clashes_cleared == 1
    [mine] = await service.my_enrolments(ISAIAH)
    assert mine.status == EnrolmentStatus.CONFIRMED and mine.missed_positions == {3}
    assert mine.clash_reason == "Court hearings"  # still why they miss session 3
    assert _reminded_sessions(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)) == {1, 2, 4}
    assert await _calendar_sessions(service, ISAIAH) == 3  # sessions 1, 2 (at its new time) and 4
    [roster] = await service.rosters(TRAINER_AAD, MULTI_RUN)
    assert roster.missing(2) == () and [e.name for e in roster.missing(3)] == ["Isaiah Langer"]
    [told] = await outbox(session_factory, notices.SESSION_MOVED)
    assert (told.payload["place"], told.payload["cleared_clash"]) == ("confirmed", "accepted")
    assert _positions(told.payload["still_missing"]) == [3]
    [trainer] = await outbox(session_factory, notices.TRAINER_SESSION_MOVED)
    [cleared] = trainer.payload["cleared_clashes"]
    assert cleared["was"] == "accepted" and _positions(cleared["still_missing"]) == [3]


async def test_a_review_of_several_sessions_goes_on_for_those_that_did_not_move(service, session_factory) -> None:
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2, 3), "Court hearings"))
    [card] = await outbox(session_factory, notices.CLASH_REVIEW)
    async with session_factory.begin() as session:  # Teams has the trainer's card
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.id == card.id)
            .values(status=NotificationStatus.SENT, activity_id="activity-1", sent_conversation_id="chat-1")
        )

    await _move_session_2(service)

    [mine] = await service.my_enrolments(ISAIAH)
    assert mine.status == EnrolmentStatus.PENDING_REVIEW and mine.missed_positions == {3}
    assert await outbox(session_factory, notices.REMINDER, recipient=ISAIAH) == []  # still no place to remind of
    [replaced] = await outbox(session_factory, notices.CLASH_REVIEW)  # due again, to replace the card in Teams
    assert replaced.id == card.id and replaced.activity_id == "activity-1"
    assert _positions(replaced.payload["clash_sessions"]) == [3]
    assert replaced.payload["outcome"] is None  # still asking, about session 3 alone
    assert replaced.payload["moved"]["old"]["starts_at"] == "2026-12-21T10:00:00Z"  # and saying why it changed
    [told] = await outbox(session_factory, notices.SESSION_MOVED)
    assert (told.payload["place"], told.payload["cleared_clash"]) == ("pending_review", "pending_review")
    assert _positions(told.payload["still_missing"]) == [3]
    [trainer] = await outbox(session_factory, notices.TRAINER_SESSION_MOVED)
    [cleared] = trainer.payload["cleared_clashes"]
    assert cleared["was"] == "pending_review" and _positions(cleared["still_missing"]) == [3]

    await service.decide_clash(TRAINER_AAD, pending.id, accept=True)  # the review still needs a decision
    [decision] = await outbox(session_factory, notices.CLASH_DECISION)
    assert _positions(decision.payload["clash_sessions"]) == [3]
    assert _reminded_sessions(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)) == {1, 2, 4}


async def test_an_accepted_review_card_names_what_is_still_missed_after_a_move(service, session_factory) -> None:
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2, 3), "Court hearings"))
    assert await delivered(session_factory, notices.CLASH_REVIEW) == 1
    await service.decide_clash(TRAINER_AAD, pending.id, accept=True)
    [accepted] = await outbox(session_factory, notices.CLASH_REVIEW)
    await delivered(session_factory, notices.CLASH_REVIEW)  # Teams shows "Accepted by Zoe Rosenfield"

    await _move_session_2(service)

    [replaced] = await outbox(session_factory, notices.CLASH_REVIEW)  # the decided card, replaced again
    assert replaced.id == accepted.id
    review = notices.ClashReviewNotice.model_validate(replaced.payload)
    assert review.outcome is not None and (review.outcome.decision, review.outcome.by) == ("accepted", "Zoe Rosenfield")
    assert [s.position for s in review.clash_sessions] == [3]  # what he still misses
    assert review.moved is not None and (review.moved.new.starts_at, review.moved.new.ends_at) == NEW_TIME


async def test_a_review_is_over_when_every_session_it_named_has_moved(service, session_factory) -> None:
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2, 3), "Court hearings"))
    await _move_session_2(service)
    session_3 = weekly_session(FIRST_DAY, 3)
    new_day = FIRST_DAY + timedelta(weeks=2, days=2)
    await service.move_session(
        COORDINATOR_AAD, MULTI_RUN, 3, london(new_day, time(13)), london(new_day, time(16)), was=session_3
    )

    [mine] = await service.my_enrolments(ISAIAH)
    assert mine.status == EnrolmentStatus.CONFIRMED and mine.clash_sessions == () and mine.clash_reason is None
    assert len(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)) == 12
    assert await outbox(session_factory, notices.CLASH_REVIEW) == []
    last = [
        n.payload for n in await outbox(session_factory, notices.SESSION_MOVED) if n.payload["new"]["position"] == 3
    ]
    assert [(p["place"], p["cleared_clash"], p["still_missing"]) for p in last] == [("confirmed", "pending_review", [])]
    with pytest.raises(AlreadyDecided):
        await service.decide_clash(TRAINER_AAD, pending.id, accept=True)


async def test_the_preview_counts_a_clash_that_names_the_session_among_others(service) -> None:
    await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2, 4), "Court hearings"))
    await service.enrol(ALEX, MULTI_RUN, clash=Clash((3, 4), "Leave"))
    preview = await service.preview_session_move(COORDINATOR_AAD, MULTI_RUN, 2, *NEW_TIME)
    assert preview.participants == 2 and preview.clashes_cleared == 1


async def test_a_catalogue_import_that_moves_the_session_clears_the_clash_the_same_way(
    service, session_factory, clock
) -> None:
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2,), "Court hearing"))
    await service.decide_clash(TRAINER_AAD, pending.id, accept=True)
    later = FIRST_DAY + timedelta(days=1)  # every session a day later
    async with session_factory.begin() as session:
        await import_catalogue(session, world(later))

    await _housekeeping(service, session_factory, clock)

    [mine] = await service.my_enrolments(ISAIAH)
    assert mine.clash_sessions == ()
    assert len(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)) == 12
    clash_cleared = [
        n.payload["cleared_clash"]
        for n in await outbox(session_factory, notices.SESSION_MOVED)
        if n.payload["new"]["position"] == 2
    ]
    assert clash_cleared == ["accepted"]
    to_trainer = await outbox(session_factory, notices.TRAINER_SESSION_MOVED, recipient=TRAINER_AAD)
    assert len(to_trainer) == 4  # one per session moved


async def test_trainers_hear_of_a_move_even_before_anyone_enrols(service, session_factory, clock) -> None:
    moved = await _move_session_2(service)
    assert moved.participants_told == 0 and moved.trainers_told == ("Zoe Rosenfield",)
    [trainer] = await outbox(session_factory, notices.TRAINER_SESSION_MOVED)
    assert trainer.recipient_aad_object_id == TRAINER_AAD and trainer.payload["participants_told"] == 0

    # A catalogue import moving sessions of a run nobody has enrolled on: the housekeeping job noted their times.
    await _housekeeping(service, session_factory, clock)
    async with session_factory.begin() as session:
        await import_catalogue(session, world(FIRST_DAY + timedelta(days=1)))
    clock.advance(timedelta(minutes=1))
    await _housekeeping(service, session_factory, clock)
    assert len(await outbox(session_factory, notices.TRAINER_SESSION_MOVED)) == 1 + 4


async def test_without_a_linked_trainer_the_coordinators_hear_of_a_cleared_clash(service, session_factory) -> None:
    async with session_factory.begin() as session:
        await session.execute(update(RunTrainer).values(person_id=None))
    await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2,), "Court hearing"))  # reviewed by the coordinators

    moved = await _move_session_2(service)

    assert moved.coordinators_told and moved.trainers_told == ("Adele Vance",)
    [told] = await outbox(session_factory, notices.TRAINER_SESSION_MOVED)
    assert told.recipient_aad_object_id == COORDINATOR_AAD and told.payload["to_coordinators"] is True


async def test_the_preview_shows_whom_a_move_would_tell_and_changes_nothing(service, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2,), "Court hearing"))
    with pytest.raises(NotAllowed):
        await service.preview_session_move(TRAINER_AAD, MULTI_RUN, 2, *NEW_TIME)
    with pytest.raises(InvalidInput):  # where it is already
        await service.preview_session_move(COORDINATOR_AAD, MULTI_RUN, 2, *SESSION_2)

    preview = await service.preview_session_move(COORDINATOR_AAD, MULTI_RUN, 2, *NEW_TIME)

    assert (preview.old.starts_at, preview.old.ends_at) == SESSION_2
    assert (preview.new.starts_at, preview.new.ends_at) == NEW_TIME
    assert preview.participants == 2 and preview.clashes_cleared == 1
    assert preview.trainers_told == ("Zoe Rosenfield",) and preview.trainers_unreachable == ("Rebecca Watts",)
    assert await outbox(session_factory, notices.SESSION_MOVED) == []
    async with session_factory() as session:
        starts = await session.scalar(select(RunSession.starts_at).where(RunSession.position == 2).limit(1))
    assert starts == SESSION_2[0]


async def test_a_confirmation_moves_only_a_session_still_where_it_was_shown(service, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    first = await _move_session_2(service)
    assert not first.already_done and first.participants_told == 1

    again = await _move_session_2(service)  # the same button pressed twice, or Teams redelivering it
    assert again.already_done and again.participants_told == 0
    assert len(await outbox(session_factory, notices.SESSION_MOVED, status=None)) == 1

    elsewhere = (NEW_TIME[0] + timedelta(days=1), NEW_TIME[1] + timedelta(days=1))
    with pytest.raises(SessionChanged) as stale:  # a card made before the first move
        await service.move_session(COORDINATOR_AAD, MULTI_RUN, 2, *elsewhere, was=SESSION_2)
    assert (stale.value.current.starts_at, stale.value.current.ends_at) == NEW_TIME
    assert len(await outbox(session_factory, notices.SESSION_MOVED, status=None)) == 1


async def test_a_time_the_clocks_skip_is_refused_not_stored(session_factory, clock) -> None:
    # Clocks go forward at 01:00 on Sunday 28 March 2027: 01:30-02:30 "local" is no time at all in UTC.
    await load_world(session_factory, world(date(2027, 3, 22)))
    await add_person(session_factory, ALEX, "Alex Wilber")
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    service = EnrolmentService(session_factory, clock)
    start = datetime(2027, 3, 28, 1, 30, tzinfo=LONDON)  # the same tzinfo: Python compares wall clocks
    end = datetime(2027, 3, 28, 2, 30, tzinfo=LONDON)
    with pytest.raises(InvalidInput, match="end after it starts"):
        await service.preview_session_move(COORDINATOR_AAD, MULTI_RUN, 1, start, end)
    with pytest.raises(InvalidInput, match="end after it starts"):
        await service.move_session(COORDINATOR_AAD, MULTI_RUN, 1, start, end, was=weekly_session(date(2027, 3, 22), 1))
    assert await outbox(session_factory, notices.SESSION_MOVED, status=NotificationStatus.PENDING) == []


async def test_a_catalogue_import_that_removes_the_clashing_session_confirms_the_place_under_review(
    service, session_factory, clock
) -> None:
    """Session 4 is taken off the run while Isaiah's clash with it waits for the trainers: nothing is left to
    decide, so his place is confirmed, the trainer's card says so, and Isaiah is told and reminded of the rest."""
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((4,), "Court hearing"))
    assert await delivered(session_factory, notices.CLASH_REVIEW) == 1
    shortened = world(FIRST_DAY)
    shortened = dataclasses.replace(
        shortened,
        courses=tuple(
            dataclasses.replace(
                course,
                runs=tuple(
                    dataclasses.replace(run, sessions=run.sessions[:3]) if run.code == MULTI_RUN else run
                    for run in course.runs
                ),
            )
            for course in shortened.courses
        ),
    )
    async with session_factory.begin() as session:
        await import_catalogue(session, shortened)

    await _housekeeping(service, session_factory, clock)

    [mine] = await service.my_enrolments(ISAIAH)
    assert (mine.status, mine.clash_sessions) == (EnrolmentStatus.CONFIRMED, ())
    assert _reminded_sessions(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH)) == {1, 2, 3}
    [told] = await outbox(session_factory, notices.CLASH_DECISION, recipient=ISAIAH)
    assert told.payload["accepted"] and told.payload["cleared"] and len(told.payload["sessions"]) == 3
    words = build_clash_decision_card(notices.ClashDecisionNotice.model_validate(told.payload), LONDON).fallback_text
    assert "The session you couldn't attend was taken off the course's dates, so your place on" in words
    [card] = await outbox(session_factory, notices.CLASH_REVIEW)  # due again, to replace the trainer's message
    review = notices.ClashReviewNotice.model_validate(card.payload)
    assert review.outcome is not None and review.outcome.decision == "cleared"
    with pytest.raises(AlreadyDecided):
        await service.decide_clash(TRAINER_AAD, pending.id, accept=False)

    clock.advance(timedelta(minutes=1))
    await _housekeeping(service, session_factory, clock)  # the next minute's run: nothing more to do
    assert len(await outbox(session_factory, notices.CLASH_DECISION, recipient=ISAIAH)) == 1


async def test_a_session_moved_within_its_day_still_clashes(service, session_factory) -> None:
    """A court hearing takes the day: half an hour later on the same date is still a day Isaiah can't come. The
    review still waits, the preview counts no cleared clash, and Isaiah is told nothing changes for him."""
    pending = await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2,), "Court hearing"))
    later_that_day = (SESSION_2[0] + timedelta(minutes=30), SESSION_2[1] + timedelta(minutes=30))
    preview = await service.preview_session_move(COORDINATOR_AAD, MULTI_RUN, 2, *later_that_day)
    assert preview.clashes_cleared == 0

    await service.move_session(COORDINATOR_AAD, MULTI_RUN, 2, *later_that_day, was=SESSION_2)

    [mine] = await service.my_enrolments(ISAIAH)
    assert mine.status == EnrolmentStatus.PENDING_REVIEW and [s.position for s in mine.clash_sessions] == [2]
    decided = await service.decide_clash(TRAINER_AAD, pending.id, accept=True)  # still the trainers' to decide
    assert decided.status == EnrolmentStatus.CONFIRMED
    assert 2 not in _reminded_sessions(await outbox(session_factory, notices.REMINDER, recipient=ISAIAH))

    earlier_that_day = (SESSION_2[0] - timedelta(minutes=30), SESSION_2[1] - timedelta(minutes=30))
    await service.move_session(COORDINATOR_AAD, MULTI_RUN, 2, *earlier_that_day, was=later_that_day)
    told = [n for n in await outbox(session_factory, notices.SESSION_MOVED, recipient=ISAIAH)]
    last = notices.SessionMovedNotice.model_validate(told[-1].payload)
    assert last.still_clashes and last.cleared_clash is None and last.place == "confirmed"
    words = build_session_moved_card(last, LONDON).fallback_text
    assert "still one you told us you can't attend" in words and "reminders have moved" not in words
