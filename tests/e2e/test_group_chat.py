"""The bot in a group chat, through Microsoft's Teams emulator: it hears only messages that mention it."""

from __future__ import annotations

import pytest

from bot.manifest_package import registered_commands
from dialogs.routing import GROUP_CHAT
from storage.models import Role
from tests.e2e.playground import PlaygroundClient, button, card, card_text, facts, text

pytestmark = pytest.mark.e2e


async def test_added_to_a_group_chat_the_bot_explains_how_to_talk_to_it_there(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.group
    await alex.install(chat)
    welcome = card_text(await alex.reply(chat))
    assert welcome.startswith("Welcome")
    assert "In this chat, mention me" in welcome and "chat with me one-to-one" in welcome


async def test_only_messages_that_mention_the_bot_reach_it(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.group
    await alex.say(chat, "courses")  # no mention: Teams (and the Playground) never send this to the bot
    await alex.say(chat, "help", mention=True)
    first = await alex.reply(chat)  # so the first thing the bot says here answers the mention
    help_card = card(first)
    assert card_text(first).startswith("What I can do")
    expected = registered_commands().visible_to({Role.PARTICIPANT}, GROUP_CHAT)
    assert [usage for usage, _ in facts(help_card)] == [command.usage for command in expected]
    assert "mention me first" in card_text(first)


async def test_course_list_and_its_buttons_work_in_the_group_chat(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.group
    await alex.say(chat, "courses", mention=True)
    listing = await alex.reply(chat)
    assert "PERMPLAN" in card_text(listing)
    await alex.press(chat, listing, "Details of PERMPLAN")  # a card button needs no mention
    details = await alex.reply(chat)
    assert card_text(details).startswith("Permanence Planning")
    assert button(details, "Course outline")["url"].startswith("https://")


async def test_find_in_the_group_chat_takes_the_answer_that_mentions_the_bot(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.group
    await alex.say(chat, "find", mention=True)
    assert "What are you looking for?" in text(await alex.reply(chat))
    await alex.say(chat, "legal framework", mention=True)
    results = card_text(await alex.reply(chat))
    assert results.startswith("Search results")
    assert "PERMPLAN" in results and "PERM4" not in results
