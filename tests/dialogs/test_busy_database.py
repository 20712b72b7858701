"""A database still busy after every retry (``TryAgain``) is answered the same way on every path, typed or from a
card: "very busy, nothing was changed, try again", one WARNING line and no traceback; a dialog in progress stays
where it was, so sending the same again carries on."""

from __future__ import annotations

import logging

import pytest

from classroom.errors import TryAgain
from tests.support.bot_harness import Conversation, card_text
from tests.support.catalogue import load_demo_catalogue

BUSY = "I'm very busy right now and nothing was changed. Please try again."


async def _busy(*_args: object, **_kwargs: object) -> None:
    raise TryAgain("the database is busy; please try again in a moment")


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    await load_demo_catalogue(session_factory, clock)
    return Conversation(session_factory, clock)


async def test_my_courses_on_a_busy_database_says_so_without_a_traceback(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(chat.services.enrolment, "my_courses", _busy)
    with caplog.at_level(logging.WARNING):
        [reply] = await chat.say("my courses")
    assert reply.text == BUSY
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert not any(record.exc_info for record in caplog.records)


async def test_an_answer_on_a_busy_database_keeps_the_dialog_for_the_same_answer_again(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.say("find")  # "What are you looking for?"
    with monkeypatch.context() as busy:
        busy.setattr(chat.services.catalogue, "search", _busy)
        [reply] = await chat.say("court")
    assert reply.text == BUSY
    [results] = await chat.say("court")  # the same answer again, to the same question
    assert "1 course matching “court”" in card_text(results)
