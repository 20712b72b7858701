"""Browsing the catalogue in a chat: courses, course details, find, help, and what we do not understand."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete

from classroom.people import assign_roles
from storage.models import OrganisationEvidence, Role
from tests.support.bot_harness import PARTICIPANT_AAD, Conversation, card_of, card_text, texts
from tests.support.cards import card_actions
from tests.support.catalogue import load_demo_catalogue
from tests.support.enrolment import add_person


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    await load_demo_catalogue(session_factory, clock)
    return Conversation(session_factory, clock)


async def test_courses_lists_both_source_courses_with_next_dates_and_places(chat: Conversation) -> None:
    [reply] = await chat.say("courses")
    listing = card_text(reply)
    assert "Permanence Planning" in listing and "PERMPLAN" in listing
    assert "PERM4" in listing and "What does it Mean for Children and Young People" in listing
    assert re.search(r"Next: 4 sessions from \w+day \d+ \w+ \d{4}", listing)
    assert re.search(r"\d+ places left", listing)
    buttons = [a["data"] for a in card_actions(card_of(reply))]
    assert {"verb": "course", "args": "PERM4"} in buttons


async def test_course_details_show_every_session_in_london_time(chat: Conversation) -> None:
    [reply] = await chat.say("course perm4")  # codes are case-insensitive
    details = card_text(reply)
    sessions = re.findall(r"Session (\d): (\w+day \d+ \w+ \d{4}), 10:00–15:00 (GMT|BST)", details)
    assert [s[0] for s in sessions] == ["1", "2", "3", "4"]
    assert all(day.startswith("Monday") for _, day, _ in sessions)
    assert "Zoe Rosenfield / Rebecca Watts" in details
    assert "Microsoft Teams, online learning session" in details
    assert "you need to attend every date" in details
    assert "understand what permanence is and the factors that support it in children’s lives" in details
    for band in range(1, 6):
        assert re.search(rf"Tier {band}: £\d", details)
    verbs = {a.get("data", {}).get("verb") for a in card_actions(card_of(reply))}
    assert {"enrol", "enquire"} <= verbs
    [reply] = await chat.say("course PERMPLAN")  # the one-day course's page links its outline
    assert {
        "title": "Course outline",
        "type": "Action.OpenUrl",
        "url": "https://example.org/courses/permplan/course-outline.pdf",
    } in card_actions(card_of(reply))


async def test_course_details_show_the_viewers_price_first_then_every_band(chat: Conversation, session_factory) -> None:
    async with session_factory.begin() as session:  # the demo lists the Playground's tenant: forget it here
        await session.execute(delete(OrganisationEvidence))
    [anonymous] = await chat.say("course PERMPLAN")  # we don't know where Alex works yet: every band alike
    assert "Your price" not in card_text(anonymous)
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", "Downland County Council")
    [reply] = await chat.say("course PERMPLAN")
    details = card_text(reply)
    own = "Your price: £110.00 per place (Tier 2, Downland County Council)"
    assert details.count(own) == 2  # each of the two runs
    assert details.index(own) < details.index("Tier 1: £95.00")  # first, then every band below it
    for band in range(1, 6):
        assert re.search(rf"Tier {band}: £\d", details)


async def test_in_a_group_chat_nobody_sees_the_askers_organisation_or_price(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", "Downland County Council")
    chat = Conversation(session_factory, clock, conversation_type="groupChat", conversation_id="19:g@thread.v2")
    [reply] = await chat.say("course PERMPLAN")
    details = card_text(reply)
    assert "Your price" not in details and "Downland" not in details  # the whole chat sees this card
    assert "Tier 2: £110.00" in details  # every band, as for anyone


async def test_course_without_code_or_unknown_code_explains_what_to_type(chat: Conversation) -> None:
    [reply] = await chat.say("course")
    assert "course PERM4" in reply.text
    [reply] = await chat.say("course NOPE12")
    assert "can't find a course with the code NOPE12" in reply.text


async def test_find_with_words_lists_matches(chat: Conversation) -> None:
    [reply] = await chat.say("find court")
    listing = card_text(reply)
    assert "PERM4" in listing and "PERMPLAN" not in listing


async def test_find_asks_then_searches_and_reasks_on_empty_answer(chat: Conversation) -> None:
    [question] = await chat.say("find")
    assert "What are you looking for?" in question.text
    [retry] = await chat.say("?!")
    assert "Please type a word or two" in retry.text
    [reply] = await chat.say("legal framework")
    listing = card_text(reply)
    assert "PERMPLAN" in listing and "PERM4" not in listing
    # the dialog is over: the next message is a command again
    [reply] = await chat.say("help")
    assert "What I can do" in card_text(reply)


async def test_find_can_be_cancelled_and_then_nothing_is_left_to_cancel(chat: Conversation) -> None:
    await chat.say("find")
    [reply] = await chat.say("cancel")
    assert reply.text.startswith("Cancelled.")
    [reply] = await chat.say("cancel")
    assert "nothing to cancel" in reply.text


async def test_find_with_no_match_says_so(chat: Conversation) -> None:
    [reply] = await chat.say("find astrophysics")
    assert "No courses match" in card_text(reply)


async def test_card_button_runs_the_command_it_names(chat: Conversation) -> None:
    [reply] = await chat.press("course", "PERMPLAN")
    assert "Permanence Planning" in card_text(reply)
    [reply] = await chat.press("enrol", "PERMPLAN")
    assert "Which dates would you like?" in card_text(reply)  # the enrol flow (tests/dialogs/test_enrol_flow.py)


async def test_button_during_a_question_starts_the_new_request(chat: Conversation) -> None:
    await chat.say("find")
    [reply] = await chat.press("courses")
    assert "Our courses" in card_text(reply)
    [reply] = await chat.say("help")  # not taken as the answer to the abandoned question
    assert "What I can do" in card_text(reply)


async def test_unknown_text_gets_a_suggestion_never_silence(chat: Conversation) -> None:
    [reply] = await chat.say("corses")
    assert "Did you mean **courses**?" in reply.text
    [reply] = await chat.say("what about the voice of the child?")
    assert "Did you mean one of these?" in card_text(reply) and "PERMPLAN" in card_text(reply)
    [reply] = await chat.say("xyzzy")
    assert "didn't understand" in reply.text and "help" in reply.text


async def test_help_lists_the_commands(chat: Conversation) -> None:
    [reply] = await chat.say("help")
    listing = card_text(reply)
    for usage in ("courses", "course CODE", "find [words]", "help"):
        assert f"{usage}:" in listing


async def test_group_chat_mention_is_stripped(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    chat = Conversation(session_factory, clock, conversation_type="groupChat", conversation_id="19:g@thread.v2")
    replies = await chat.say("courses")  # TestAdapter sends no mention entity; plain text still routes
    assert "Our courses" in texts(replies)


async def test_welcome_differs_by_role(session_factory, clock) -> None:
    chat = Conversation(session_factory, clock, aad_object_id="coordinator-aad", name="Adele Vance")
    async with session_factory.begin() as session:
        await assign_roles(session, "coordinator-aad", [Role.COORDINATOR], "Adele Vance")
    turn = await chat.install()
    text = card_text(turn[-1])
    assert "Welcome, Adele!" in text and "As a coordinator" in text
    assert "Browse our social-work courses" not in text  # not a participant


async def test_a_group_welcome_is_about_the_chat_never_the_installers_roles(session_factory, clock) -> None:
    """Everyone in the chat reads it: what Adele may do as a coordinator and an admin is hers to know."""
    async with session_factory.begin() as session:
        await assign_roles(session, "coordinator-aad", [Role.COORDINATOR, Role.ADMIN], "Adele Vance")
    chat = Conversation(
        session_factory,
        clock,
        aad_object_id="coordinator-aad",
        name="Adele Vance",
        conversation_type="groupChat",
        conversation_id="19:g@thread.v2",
    )
    text = card_text((await chat.install())[-1])
    assert "Everyone here can browse our social-work courses" in text and "In this chat, mention me" in text
    assert "As a coordinator" not in text and "As an administrator" not in text
