"""People's own words: synonyms of the commands, questions about their own bookings, greetings; only the canonical
names in ``help`` and the app's command menu."""

from __future__ import annotations

import pytest

from bot.features import FEATURES
from bot.manifest_package import expected_command_lists
from dialogs.registry import FeatureRegistry
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import PARTICIPANT_AAD, Conversation, card_text, texts
from tests.support.enrolment import BHCC, MULTI, ONE_DAY, add_person, load_world, world

CANCEL_QUESTION = "Cancel your place on Permanence in four sessions (PERMX-A)?"


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    """Alex Wilber, who works for Brighton & Hove City Council, in a 1:1 chat."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", BHCC)
    return Conversation(session_factory, clock)


@pytest.fixture
async def booked(chat: Conversation) -> Conversation:
    """Alex with a confirmed place on the four-session course."""
    await chat.say(f"enrol {MULTI}")
    [confirmation] = await chat.say("I can attend every date")
    assert "confirmed" in card_text(confirmation).lower()
    return chat


@pytest.mark.parametrize(
    "said",
    [
        "unenrol PERMX",
        "unenroll permx",
        "cancel my place on PERMX",
        "Cancel my booking for PERMX.",
        "withdraw from PERMX",
        "I can't come to PERMX any more",
    ],
)
async def test_cancelling_a_place_in_other_words_asks_to_confirm_it(booked: Conversation, said: str) -> None:
    [question] = await booked.say(said)
    assert CANCEL_QUESTION in card_text(question)


@pytest.mark.parametrize(
    "said", ["book PERMX", "Book a place on PERMX", "Can I book a place on permx?", "enroll PERMX", "sign up for PERMX"]
)
async def test_booking_in_other_words_starts_the_enrolment(chat: Conversation, said: str) -> None:
    [terms] = await chat.say(said)
    assert "Enrol on Permanence in four sessions" in card_text(terms)


@pytest.mark.parametrize(
    "said",
    [
        "my course",
        "my bookings",
        "calendar",
        "what time is my course?",
        "When is my next session?",
        "what am I booked on?",
        "Which courses am I on",
        "where's the join link?",
    ],
)
async def test_questions_about_ones_own_bookings_show_them(booked: Conversation, said: str) -> None:
    [mine] = await booked.say(said)
    shown = card_text(mine)
    assert shown.startswith("My courses") and "PERMX-A · Confirmed" in shown


@pytest.mark.parametrize("said", ["hi", "Hello!", "hey there", "Good morning"])
async def test_a_greeting_is_greeted_not_answered_with_courses(chat: Conversation, said: str) -> None:
    [reply] = await chat.say(said)
    assert reply.text.startswith("Hello, Alex!") and not reply.attachments
    assert "**courses**" in reply.text and "**help**" in reply.text


async def test_thanks_is_welcomed(chat: Conversation) -> None:
    [reply] = await chat.say("thank you!")
    assert reply.text == "You're welcome!"


async def test_a_near_miss_of_a_synonym_suggests_the_command_itself(chat: Conversation) -> None:
    [reply] = await chat.say("unenrole PERMX")
    assert "Did you mean **withdraw**?" in reply.text


async def test_synonyms_are_understood_in_a_group_chat_only_where_the_command_works(session_factory, clock) -> None:
    group = Conversation(session_factory, clock, conversation_type="groupChat", conversation_id="19:g@thread.v2")
    [reply] = await group.say(f"book {ONE_DAY}")
    assert reply.text == "**enrol** works in our one-to-one chat. Message me directly to use it."
    [greeting] = await group.say("hi")
    assert greeting.text.startswith("Hello, Alex!") and "Mention me" in greeting.text


async def test_help_and_the_command_menu_show_only_the_canonical_names(chat: Conversation) -> None:
    listed = texts(await chat.say("help"))
    usages = {line.split(":")[0] for line in listed.splitlines() if ":" in line}
    assert {"withdraw CODE", "enrol CODE", "my courses", "courses", "help"} <= usages
    assert usages.isdisjoint({"unenrol", "book", "calendar", "my course", "hi", "thanks", "catalogue"})
    titles = {
        c["title"] for entry in expected_command_lists(FeatureRegistry(FEATURES).commands) for c in entry["commands"]
    }
    assert titles.isdisjoint({"hi", "thanks", "book", "unenrol", "calendar"})
    assert {"courses", "enrol", "my courses", "help"} <= titles
