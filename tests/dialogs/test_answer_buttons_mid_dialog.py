"""Answer buttons under the rules for the middle of a dialog: a press of the question's own button is its
answer, never a command, even where its answer is a command word or a command was just offered; a button of a
question put aside under another dialog waits for that question to come back; and a press counts as answering
for the dialog's timeout, or finds the dialog closed when it has timed out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botbuilder.core import InvokeResponse
from sqlalchemy import select

from classroom.people import ensure_person
from dialogs.answer_prompt import EARLIER_QUESTION, NO_QUESTION
from dialogs.cards.answers import question_of
from storage.models import CourseRun, Enrolment, EnrolmentStatus
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import PARTICIPANT_AAD, Conversation, button_titles, card_of, card_text, texts
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import QUESTION_ANSWERS, make_coordinator
from tests.support.enrolment import BHCC, MULTI, ONE_DAY, ONE_DAY_RUN, add_person, load_world, world

CLOSED = "Welcome back. Your enrolment had waited for your answer since"


@pytest.fixture
async def enquiring(session_factory, clock) -> Conversation:
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory)
    return Conversation(session_factory, clock)


@pytest.fixture
async def enrolling(session_factory, clock) -> Conversation:
    """Alex Wilber, of Brighton & Hove City Council, with the enrolment tests' courses."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", BHCC)
    return Conversation(session_factory, clock)


def _answered(answer: InvokeResponse | None) -> str:
    """The plain text of the card a press was answered with (the question, answered)."""
    assert answer is not None and answer.body.type == "application/vnd.microsoft.card.adaptive", answer
    card: dict[str, Any] = answer.body.value
    return str(card["fallbackText"])


def _refused(answer: InvokeResponse | None) -> str:
    assert answer is not None and answer.body.type == "application/vnd.microsoft.activity.message", answer
    return str(answer.body.value)


async def _status(session_factory, run_code: str) -> EnrolmentStatus | None:
    async with session_factory() as session:
        return await session.scalar(
            select(Enrolment.status).join(CourseRun, CourseRun.id == Enrolment.run_id).where(CourseRun.code == run_code)
        )


@pytest.mark.parametrize("fallback", [False, True], ids=["execute", "submit"])
async def test_a_pressed_answer_that_is_also_a_command_word_is_the_answer(
    enquiring: Conversation, fallback: bool
) -> None:
    await enquiring.say("enquire")
    for answer in QUESTION_ANSWERS:
        await enquiring.say(answer)
    [which] = await enquiring.say("change")
    assert "What would you like to change?" in card_text(which) and "Courses" in button_titles(which)
    _, [question] = await enquiring.tap(which, "Courses", fallback=fallback)  # its answer is "courses"
    assert "Which course is it about?" in card_text(question)  # the field, not the list of courses


async def test_a_pressed_answer_right_after_an_offer_to_leave_is_the_answer(
    enquiring: Conversation, session_factory
) -> None:
    async with session_factory.begin() as session:
        await ensure_person(session, PARTICIPANT_AAD, "Alex Wilber", "alexw@example.com")
    await enquiring.say("enquire")
    await enquiring.say("1")
    [name_question] = await enquiring.say("PERM4")
    [offer] = await enquiring.say("courses")  # free text: the command is only offered
    assert "leave it and go to **courses**" in card_text(offer)
    answered, [email_question] = await enquiring.tap(name_question, "Keep this")
    assert "Your answer: Keep this" in _answered(answered)
    assert "What email address" in card_text(email_question)
    [reply] = await enquiring.say("leave it")  # the offer lapsed with the answer: these words answer the email
    assert reply.text.startswith("Sorry"), reply.text


async def test_a_button_of_a_question_put_aside_waits_until_it_is_asked_again(
    enrolling: Conversation, session_factory
) -> None:
    [terms] = await enrolling.say(f"enrol {ONE_DAY}")
    replies = await enrolling.say("enquire")  # a command at a choice: runs, and its dialog goes on top
    assert "Let's put your enquiry together" in texts(replies)

    refused, nothing = await enrolling.tap(terms, "Confirm my place")
    assert _refused(refused) == EARLIER_QUESTION and nothing == []
    _, [told] = await enrolling.tap(terms, "Confirm my place", fallback=True)
    assert told.text.startswith(EARLIER_QUESTION)
    assert await _status(session_factory, ONE_DAY_RUN) is None

    cancelled, back, again = await enrolling.say("cancel")  # the enquiry; the enrolment comes back
    assert (cancelled.text, back.text) == ("Cancelled.", "Back to your enrolment:")
    assert question_of(card_of(again)) == question_of(card_of(terms))  # the same question, asked again
    answered, [done] = await enrolling.tap(terms, "Confirm my place")  # so the first card's buttons count again
    assert "Your answer: Confirm my place" in _answered(answered)
    assert "You're enrolled" in card_text(done)
    assert await _status(session_factory, ONE_DAY_RUN) == EnrolmentStatus.CONFIRMED


async def test_each_press_keeps_the_dialog_open_for_another_full_timeout(enrolling: Conversation, clock) -> None:
    [terms] = await enrolling.say(f"enrol {MULTI}")
    clock.advance(timedelta(hours=23))
    _, [which] = await enrolling.tap(terms, "I have a clash")
    clock.advance(timedelta(hours=23))  # 46 hours after the dialog began, 23 after the press
    [why] = await enrolling.say("3")
    assert "What is the clash?" in why.text


@pytest.mark.parametrize("fallback", [False, True], ids=["execute", "submit"])
async def test_a_press_after_the_timeout_finds_the_dialog_closed(
    enrolling: Conversation, session_factory, clock, fallback: bool
) -> None:
    [terms] = await enrolling.say(f"enrol {ONE_DAY}")
    clock.advance(timedelta(hours=24))
    answer, replies = await enrolling.tap(terms, "Confirm my place", fallback=fallback)
    assert replies[0].text.startswith(CLOSED), texts(replies)
    said = _refused(answer) if not fallback else replies[1].text
    assert said == NO_QUESTION
    assert await _status(session_factory, ONE_DAY_RUN) is None
    [reply] = await enrolling.say("no thanks")  # nothing left in progress
    assert "didn't understand" in reply.text
