"""A dialog left unanswered for ``DIALOG_TIMEOUT_HOURS`` (24 by default) is closed politely when the person
comes back, after a restart too, and their message is read afresh; answering in time keeps it open."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogs.dialog_progress import PROGRESS_PROPERTY
from storage.models import BotStateRecord
from tests.support.bot_harness import Conversation, card_text, default_settings
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import QUESTION_ANSWERS, make_coordinator

CLOSED = "Welcome back. Your enquiry had waited for your answer since Mon 23 Nov 2026, 09:00 GMT, so I closed it"


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory)
    return Conversation(session_factory, clock)


async def test_a_dialog_left_a_day_is_closed_when_the_person_comes_back_next_day(
    chat: Conversation, session_factory, clock
) -> None:
    await chat.say("enquire")
    await chat.say("1")  # asked which course, at 09:00
    clock.advance(timedelta(hours=24))
    restarted = Conversation(session_factory, clock)  # the bot restarted overnight: the state is in the database
    replies = await restarted.say("PERM4")
    assert replies[0].text.startswith(CLOSED), replies[0].text
    assert "Did you mean one of these?" in card_text(replies[1])  # read afresh: no answer to yesterday's question
    [reply] = await restarted.say("alex@example.org")
    assert "didn't understand" in reply.text  # nothing left in progress


async def test_each_answer_keeps_the_dialog_open_for_another_full_timeout(chat: Conversation, clock) -> None:
    await chat.say("enquire")
    clock.advance(timedelta(hours=23))
    await chat.say("1")
    clock.advance(timedelta(hours=23))
    [name_question] = await chat.say("PERM4")
    assert "What is your name?" in card_text(name_question)


async def test_cancel_after_the_timeout_only_says_it_was_closed(chat: Conversation, clock) -> None:
    await chat.say("find")
    clock.advance(timedelta(days=3))
    [closed] = await chat.say("cancel")
    assert closed.text.startswith("Welcome back. Your search had waited for your answer since Mon 23 Nov 2026")


async def test_the_timeout_is_a_setting(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    chat = Conversation(session_factory, clock, settings=default_settings(dialog_timeout_hours=1))
    await chat.say("find")
    clock.advance(timedelta(minutes=59))
    [results] = await chat.say("court")  # still open: the answer to "What are you looking for?"
    assert "1 course matching “court”" in card_text(results)
    await chat.say("find")
    clock.advance(timedelta(hours=1))
    replies = await chat.say("court")
    assert replies[0].text.startswith("Welcome back. Your search had waited")
    assert "Did you mean one of these?" in card_text(replies[1])


async def test_a_search_started_on_top_of_an_enquiry_closes_both(chat: Conversation, clock) -> None:
    await chat.say("enquire")
    await chat.say(QUESTION_ANSWERS[0])
    await chat.say("find")
    clock.advance(timedelta(hours=30))
    [closed] = await chat.say("cancel")
    assert closed.text.startswith("Welcome back. Your search and your enquiry had waited") and "closed them" in (
        closed.text
    )


async def test_a_dialog_kept_from_before_its_time_was_recorded_is_closed_not_answered(
    chat: Conversation, session_factory
) -> None:
    """State saved by a version that kept no time has an unknown age: the next message is read afresh."""
    await chat.say("find")
    async with session_factory.begin() as session:
        [record] = (await session.scalars(select(BotStateRecord))).all()
        document = json.loads(record.document)
        assert document.pop(PROGRESS_PROPERTY)["touched_at"]  # as an older version saved it: no time
        record.document = json.dumps(document)
    replies = await chat.say("court")
    assert replies[0].text.startswith("Welcome back. Your search had waited for your answer, so I closed it")
    assert "Did you mean one of these?" in card_text(replies[1])
