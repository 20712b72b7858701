"""Commands typed in the middle of a dialog: run, then the question asked again, where the question has set
answers; offered where it takes free text; answers stay answers; buttons are explicit; a search gives way; cancel
steps back one dialog; and all of it after a restart of the bot."""

from __future__ import annotations

from typing import Any

import pytest

from storage.models import Enquiry
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import PARTICIPANT_AAD, Conversation, card_of, card_text, texts
from tests.support.cards import card_actions
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import QUESTION_ANSWERS, count, make_coordinator
from tests.support.enrolment import BHCC, MULTI, ONE_DAY, add_person, load_world, world

BACK = "Back to your enquiry:"
KIND, COURSE, NAME, EMAIL, ORGANISATION, ROLE, MESSAGE = range(7)  # the questions of an enquiry, in order


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory)
    return Conversation(session_factory, clock)


async def enquire_until(chat: Conversation, question: int) -> None:
    """Start an enquiry and answer every question before ``question``."""
    await chat.say("enquire")
    for answer in QUESTION_ANSWERS[:question]:
        await chat.say(answer)


def asked_again(replies: list[Any], question: str) -> None:
    """The last two replies put the enquiry's question back: "Back to your enquiry:", then the question."""
    assert replies[-2].text == BACK, texts(replies)
    assert question in card_text(replies[-1])


async def test_a_command_where_the_answers_are_set_runs_then_the_question_is_asked_again(chat: Conversation) -> None:
    await enquire_until(chat, COURSE)
    replies = await chat.say("courses")
    assert "Our courses" in card_text(replies[0]) and len(replies) == 3
    asked_again(replies, "Which course is it about?")
    replies = await chat.say("course PERMPLAN")  # a command with its argument, not a course code
    assert "Permanence Planning" in card_text(replies[0])
    asked_again(replies, "Which course is it about?")
    [name_question] = await chat.say("PERM4")  # the enquiry goes on where it was
    assert "What is your name?" in card_text(name_question)


async def test_an_answer_that_is_also_a_command_word_is_the_answer_where_the_question_takes_it(
    chat: Conversation,
) -> None:
    await enquire_until(chat, len(QUESTION_ANSWERS))
    await chat.say("change")
    [question] = await chat.say("courses")  # the field called Courses, not the list of courses
    assert "Which course is it about?" in card_text(question)


async def test_a_command_where_free_text_is_asked_is_offered_and_carry_on_asks_again(chat: Conversation) -> None:
    await enquire_until(chat, NAME)
    [offer] = await chat.say("courses")
    assert "You're in the middle of your enquiry. Carry on with it, or leave it and go to **courses**?" in (
        card_text(offer)
    )
    assert [a["data"] for a in card_actions(card_of(offer))] == [
        {"verb": "carry on", "args": ""},
        {"verb": "leave it", "args": ""},
    ]
    replies = await chat.press("carry on")
    assert len(replies) == 2
    asked_again(replies, "What is your name?")
    [email_question] = await chat.say("Alex Wilber")
    assert "What email address" in card_text(email_question)


async def test_leaving_for_the_offered_command_runs_it_and_ends_the_dialog(chat: Conversation, session_factory) -> None:
    await enquire_until(chat, MESSAGE)
    [offer] = await chat.say("What time is my course?")
    assert "leave it and go to **my courses**" in card_text(offer)
    [mine] = await chat.say("leave it")
    assert "My courses" in card_text(mine)
    [reply] = await chat.say("alex@example.org")  # the enquiry is over: nothing takes this as an answer
    assert "didn't understand" in reply.text
    assert await count(session_factory, Enquiry) == 0


@pytest.mark.parametrize(
    "message",
    ["courses for my team", "Book 12 places for my team in March", "find out whether PERM4 runs in May"],
)
async def test_free_text_that_starts_with_a_command_word_is_an_answer(chat: Conversation, message: str) -> None:
    await enquire_until(chat, MESSAGE)
    [confirmation] = await chat.say(message)
    assert "Please check your enquiry" in card_text(confirmation) and message in card_text(confirmation)


async def test_the_same_words_typed_again_after_an_offer_are_the_answer(chat: Conversation) -> None:
    await enquire_until(chat, MESSAGE)
    [offer] = await chat.say("my courses")
    assert "You're in the middle of your enquiry" in card_text(offer)
    [confirmation] = await chat.say("my courses")
    assert "Please check your enquiry" in card_text(confirmation) and "Message\nmy courses" in card_text(confirmation)


async def test_help_and_greetings_are_answered_in_the_middle_without_an_offer(chat: Conversation) -> None:
    await enquire_until(chat, NAME)
    replies = await chat.say("help")
    assert "What I can do" in card_text(replies[0])
    asked_again(replies, "What is your name?")
    replies = await chat.say("Hi!")
    assert replies[0].text.startswith("Hello, Alex!")
    asked_again(replies, "What is your name?")


async def test_a_button_is_an_explicit_request_and_the_dialog_comes_back_after_it(chat: Conversation) -> None:
    await enquire_until(chat, NAME)  # free text: a typed command would only be offered
    replies = await chat.press("course", "PERM4")
    assert "Session 1" in card_text(replies[0])
    asked_again(replies, "What is your name?")


async def test_a_dialog_started_in_the_middle_hands_back_when_it_ends(chat: Conversation) -> None:
    await enquire_until(chat, COURSE)
    [search_question] = await chat.say("find")
    assert "What are you looking for?" in search_question.text
    replies = await chat.say("court")
    assert "PERM4" in card_text(replies[0])
    asked_again(replies, "Which course is it about?")
    [name_question] = await chat.say("PERM4")
    assert "What is your name?" in card_text(name_question)


async def test_starting_a_dialog_of_the_same_kind_again_replaces_it(chat: Conversation) -> None:
    await enquire_until(chat, COURSE)
    replies = await chat.say("enquire PERMPLAN")  # a new enquiry, about PERMPLAN: not one inside the other
    assert "Let's put your enquiry together" in texts(replies) and BACK not in texts(replies)
    await chat.say("1")
    [cancelled] = await chat.say("cancel")
    assert cancelled.text == "Cancelled. Type **help** to see what I can do."  # no older enquiry left under it


async def test_cancel_steps_back_to_the_dialog_it_interrupted(chat: Conversation) -> None:
    await enquire_until(chat, COURSE)
    await chat.say("find")
    replies = await chat.say("cancel")
    assert replies[0].text == "Cancelled."
    asked_again(replies, "Which course is it about?")
    [cancelled] = await chat.say("cancel")
    assert cancelled.text == "Cancelled. Type **help** to see what I can do."
    [nothing] = await chat.say("cancel")
    assert "nothing to cancel" in nothing.text


async def test_a_search_gives_way_to_a_command(chat: Conversation) -> None:
    [question] = await chat.say("find")
    assert "What are you looking for?" in question.text
    [results] = await chat.say("find permanence")  # not a search for the words "find permanence"
    assert "2 courses matching “permanence”" in card_text(results)
    await chat.say("find")
    [listing] = await chat.say("courses")
    assert "Our courses" in card_text(listing)
    [help_card] = await chat.say("help")  # the search is over: nothing is asked again
    assert "What I can do" in card_text(help_card)


async def test_a_command_this_person_may_not_use_is_an_answer(chat: Conversation) -> None:
    await enquire_until(chat, ROLE)
    [message_question] = await chat.say("outbox")  # coordinators only: for a participant, it is their role
    assert "What would you like to ask" in card_text(message_question)


async def test_after_a_restart_a_command_in_the_middle_still_runs_and_the_dialog_comes_back(
    chat: Conversation, session_factory, clock
) -> None:
    await enquire_until(chat, COURSE)
    restarted = Conversation(session_factory, clock)  # a new bot process on the same database
    replies = await restarted.say("my courses")
    assert "My courses" in card_text(replies[0])
    asked_again(replies, "Which course is it about?")
    [name_question] = await restarted.say("PERM4")
    assert "What is your name?" in card_text(name_question)


@pytest.fixture
async def enrolling(session_factory, clock) -> Conversation:
    """Alex Wilber, of Brighton & Hove City Council, with the enrolment tests' courses."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", BHCC)
    return Conversation(session_factory, clock)


async def test_enrolment_choices_take_their_answers_and_run_any_other_command(enrolling: Conversation) -> None:
    [terms] = await enrolling.say(f"enrol {ONE_DAY}")
    assert "Confirm my place" in texts([terms])
    replies = await enrolling.say("my courses")
    assert "You have no places" in card_text(replies[0])
    assert replies[1].text == "Back to your enrolment:" and card_text(replies[2]) == card_text(terms)
    [done] = await enrolling.say("book")  # "book" answers here ("Confirm my place"), though it also means enrol
    assert "You're enrolled" in card_text(done)


async def test_the_reason_for_a_clash_is_free_text_so_a_command_is_offered(enrolling: Conversation) -> None:
    await enrolling.say(f"enrol {MULTI}")
    await enrolling.say("I have a clash")
    [why] = await enrolling.say("Session 3")
    assert "What is the clash?" in why.text
    [offer] = await enrolling.say("calendar")
    assert "You're in the middle of your enrolment" in card_text(offer) and "**my courses**" in card_text(offer)
    replies = await enrolling.say("carry on")
    assert [reply.text for reply in replies] == ["Back to your enrolment:", why.text]
    [pending] = await enrolling.say("A court hearing I must attend")
    assert "trainers" in card_text(pending).lower()


async def test_which_sessions_clash_takes_session_numbers_and_runs_any_other_command(enrolling: Conversation) -> None:
    await enrolling.say(f"enrol {MULTI}")
    [sessions] = await enrolling.say("I have a clash")
    replies = await enrolling.say("my courses")
    assert "You have no places" in card_text(replies[0])
    assert replies[1].text == "Back to your enrolment:" and card_text(replies[2]) == card_text(sessions)
    [why] = await enrolling.say("1, 3")
    assert "What is the clash?" in why.text
