"""A participant and the bot in a one-to-one chat, through Microsoft's Teams emulator."""

from __future__ import annotations

import pytest

from bot.manifest_package import registered_commands
from dialogs.routing import PERSONAL
from storage.models import Role
from tests.e2e.playground import (
    SESSION_LINE,
    PlaygroundClient,
    actions,
    button,
    card,
    card_text,
    facts,
    said,
    text,
)

pytestmark = pytest.mark.e2e

ERROR_APOLOGY = "something went wrong on our side"


async def test_opening_the_chat_installs_the_app_and_the_bot_welcomes_by_name_and_role(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.personal
    await alex.install(chat)
    welcome = await alex.reply(chat)
    content = card(welcome)
    assert content["version"] == "1.5"
    words = card_text(welcome)
    assert words.startswith("Welcome, Alex!")  # the name comes from the database: installationUpdate has none
    assert "Browse our social-work courses" in words  # Alex is a participant in the demo
    assert "As a coordinator" not in words
    assert [a["title"] for a in actions(content)] == ["Browse courses", "Find a course", "Help"]
    # The install is followed by conversationUpdate; it must not welcome a second time.
    await alex.say(chat, "help")
    assert card_text(await alex.reply(chat)).startswith("What I can do")


async def test_help_lists_every_command_a_participant_can_use_here(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.personal
    await alex.say(chat, "help")
    listed = facts(card(await alex.reply(chat)))
    expected = registered_commands().visible_to({Role.PARTICIPANT}, PERSONAL)
    assert [usage for usage, _ in listed] == [command.usage for command in expected]
    assert ("course CODE", expected[1].description) in listed


async def test_course_list_then_the_details_button(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.personal
    await alex.say(chat, "courses")
    listing = await alex.reply(chat)
    words = card_text(listing)
    assert words.startswith("Our courses")
    assert "PERM4" in words and "PERMPLAN" in words and "places left" in words
    assert button(listing, "Details of PERM4")["data"] == {"verb": "course", "args": "PERM4"}

    await alex.press(chat, listing, "Details of PERM4")
    details = card_text(await alex.reply(chat))
    assert details.startswith("Permanence – What does it Mean for Children and Young People")
    assert [number for number, _day, _zone in SESSION_LINE.findall(details)] == ["1", "2", "3", "4"]
    assert "you need to attend every date" in details
    assert "Trainers: Zoe Rosenfield / Rebecca Watts" in details
    assert all(f"Tier {band}: £" in details for band in range(1, 6))


async def test_typed_course_code_shows_the_details_with_the_outline_link(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.personal
    await alex.say(chat, "course permplan")
    details = await alex.reply(chat)
    assert card_text(details).startswith("Permanence Planning")
    assert button(details, "Course outline")["url"] == "https://example.org/courses/permplan/course-outline.pdf"
    assert button(details, "Enrol on PERMPLAN")["data"] == {"verb": "enrol", "args": "PERMPLAN"}


async def test_find_asks_what_to_look_for_then_lists_the_matches(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.personal
    await alex.say(chat, "find")
    assert "What are you looking for?" in text(await alex.reply(chat))
    await alex.say(chat, "court")
    results = card_text(await alex.reply(chat))
    assert results.startswith("Search results") and "1 course matching" in results
    assert "PERM4" in results and "PERMPLAN" not in results
    await alex.say(chat, "cancel")  # the search is over, so there is nothing left to cancel
    assert "nothing to cancel" in text(await alex.reply(chat))


async def test_find_can_be_cancelled_halfway(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.personal
    await alex.say(chat, "find")
    assert "What are you looking for?" in text(await alex.reply(chat))
    await alex.say(chat, "cancel")
    assert text(await alex.reply(chat)).startswith("Cancelled.")


@pytest.mark.parametrize("title", ["Enrol on PERM4", "Ask about this course"])
async def test_enrolment_and_enquiry_buttons_always_get_a_real_answer(alex: PlaygroundClient, title: str) -> None:
    """Whatever stage these flows are at, their buttons never meet silence, an error or "I didn't understand"."""
    chat = alex.playground.chats.personal
    await alex.say(chat, "course PERM4")
    details = await alex.reply(chat)
    await alex.press(chat, details, title)
    await alex.say(chat, "cancel")  # leave the chat as we found it, whether or not a flow started
    replies = await alex.replies_until(chat, lambda m: said(m).startswith(("Cancelled.", "There's nothing to cancel")))
    answers = [said(message) for message in replies[:-1]]
    assert answers and all(answer.strip() for answer in answers)
    assert not [a for a in answers if ERROR_APOLOGY in a or "didn't understand" in a]


async def test_a_typo_gets_the_nearest_command_never_silence(alex: PlaygroundClient) -> None:
    chat = alex.playground.chats.personal
    await alex.say(chat, "corses")
    assert "Did you mean **courses**?" in text(await alex.reply(chat))
