"""The bot in a team, through Microsoft's Teams emulator: welcomed in General, answering in the thread of the
post that mentioned it, in any channel."""

from __future__ import annotations

import pytest

from tests.e2e.playground import SESSION_LINE, PlaygroundClient, card_text, text

pytestmark = pytest.mark.e2e


async def test_added_to_a_team_the_bot_welcomes_in_the_general_channel(alex: PlaygroundClient) -> None:
    general = alex.playground.chats.team  # General has the team's id
    await alex.install(general)
    welcome = card_text(await alex.reply(general))
    assert welcome.startswith("Welcome")
    assert "In this channel, mention me" in welcome


async def test_a_post_mentioning_the_bot_is_answered_in_its_thread(alex: PlaygroundClient) -> None:
    general = alex.playground.chats.team
    post = await alex.say(general, "courses", mention=True)
    thread = post["postConversationId"]
    assert thread.startswith(f"{general};messageid=")
    listing = card_text(await alex.reply(thread))
    assert listing.startswith("Our courses") and "PERM4" in listing

    await alex.say(thread, "course PERM4", mention=True)  # a reply in the same thread
    details = card_text(await alex.reply(thread))
    assert [number for number, _day, _zone in SESSION_LINE.findall(details)] == ["1", "2", "3", "4"]


async def test_help_in_a_channel_says_to_mention_the_bot(alex: PlaygroundClient) -> None:
    post = await alex.say(alex.playground.chats.channel, "help", mention=True)
    thread = post["postConversationId"]
    help_text = card_text(await alex.reply(thread))
    assert help_text.startswith("What I can do") and "mention me first" in help_text


async def test_find_in_another_channel_continues_in_the_thread(alex: PlaygroundClient) -> None:
    post = await alex.say(alex.playground.chats.channel, "find", mention=True)
    thread = post["postConversationId"]
    assert thread.startswith(f"{alex.playground.chats.channel};messageid=")
    assert "What are you looking for?" in text(await alex.reply(thread))
    await alex.say(thread, "court", mention=True)
    results = card_text(await alex.reply(thread))
    assert "PERM4" in results and "PERMPLAN" not in results
