"""Never render someone's words as markdown to others: what a person typed comes back only as plain text, or
not at all, so ``@bot course [x](https://ev.il)`` in a group chat shows nobody a link."""

from __future__ import annotations

import pytest

from tests.support.bot_harness import Conversation, card_of
from tests.support.catalogue import load_demo_catalogue

MARKDOWN = ("[", "](", "**", "<at>", "`")


@pytest.fixture
async def group(session_factory, clock) -> Conversation:
    await load_demo_catalogue(session_factory, clock)
    return Conversation(
        session_factory, clock, conversation_type="groupChat", conversation_id="19:course-team@thread.v2"
    )


@pytest.mark.parametrize(
    "typed",
    ["course [x](https://ev.il)", "course **PERM4**", "course <at>Adele</at>", "course `PERM4`", "course _PERM4_"],
)
async def test_an_unknown_course_code_is_not_repeated_back_unless_it_looks_like_a_code(
    group: Conversation, typed: str
) -> None:
    [reply] = await group.say(typed)
    assert reply.text.startswith("I can't find a course with the code you typed.")
    assert "ev.il" not in reply.text and "PERM4" not in reply.text


async def test_a_code_shaped_unknown_code_is_repeated_in_capitals(group: Conversation) -> None:
    [reply] = await group.say("course nope9")
    assert reply.text.startswith("I can't find a course with the code NOPE9.")


async def test_the_installers_name_in_a_group_welcome_is_plain_text(session_factory, clock) -> None:
    chat = Conversation(
        session_factory,
        clock,
        name="**Bold**[Mallory](https://ev.il) Smith",
        conversation_type="groupChat",
        conversation_id="19:course-team@thread.v2",
    )
    [welcome] = await chat.install()
    heading = card_of(welcome)["body"][0]["text"]
    assert heading.startswith("Welcome, BoldMallory")
    assert not any(mark in heading for mark in MARKDOWN)


async def test_an_unknown_code_in_a_refusal_is_not_repeated_back(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    alex = Conversation(session_factory, clock)
    [reply] = await alex.say("enrol [x](https://ev.il)")
    assert reply.text.startswith("I can't find that course or run.")
    [reply] = await alex.say("withdraw [x](https://ev.il)")
    assert reply.text.startswith("You have no place or waitlist entry on that code.")
