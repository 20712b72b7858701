"""The bot's own @mention is taken out of a message before it is read, as a command and as a dialog's answer, and
a malformed mention entity (Teams-shaped JSON that is no mention of anyone) never fails the turn."""

from __future__ import annotations

from typing import Any

import pytest

from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import BOT, Conversation, card_text, mention, texts
from tests.support.enrolment import load_world, world

AT_BOT = f"<at>{BOT.name}</at>"


@pytest.fixture
async def group(session_factory, clock) -> Conversation:
    await load_world(session_factory, world(FIRST_DAY))
    return Conversation(session_factory, clock, conversation_type="groupChat", conversation_id="19:team@thread.v2")


async def test_a_dialogs_answer_is_read_without_the_bots_mention(group: Conversation) -> None:
    [question] = await group.say(f"{AT_BOT} find", entities=[mention(BOT.id, BOT.name)])
    assert "What are you looking for?" in question.text
    [results] = await group.say(f"{AT_BOT} planning in a day", entities=[mention(BOT.id, BOT.name)])
    assert card_text(results).startswith("Search results") and "ONEDAY" in card_text(results)


MALFORMED: list[dict[str, Any]] = [
    {"type": "mention"},
    {"type": "mention", "mentioned": None},
    {"type": "mention", "mentioned": "28:bot-app-id"},
    {"type": "mention", "mentioned": {"name": "Classroom"}},
    {"type": "mention", "mentioned": {"id": ["28:bot-app-id"]}, "text": 7},
    {"type": "mention", "mentioned": {"id": BOT.id, "name": "(.*)+$"}, "text": "(.*)+$"},
]


@pytest.mark.parametrize("entity", MALFORMED)
async def test_a_malformed_mention_does_not_fail_the_turn(group: Conversation, entity: dict[str, Any]) -> None:
    replies = await group.say(f"{AT_BOT} help", entities=[entity, mention(BOT.id, BOT.name)])
    assert "something went wrong" not in texts(replies)
    assert card_text(replies[0]).startswith("What I can do")
