"""A poll in a group chat, in Microsoft's Teams emulator: Megan Bowen (the demo's trainer) links the chat to PERM4-A
and posts a single-choice poll; Alex, Isaiah and Lynne answer with the card's buttons, Lynne changes her answer;
the chat's card shows three voters with the right counts; Alex cannot close it; Megan closes it, and the final card
and the CSV of answers are right. Then an anonymous rating poll, whose CSV names nobody.

The Playground talks as one person, so each person has a Playground of their own on the same group chat (one id).
The bot posts the poll's card, and replaces it, where the chat was linked (Megan's Playground, the conversation
reference it stored); in Teams everyone sees that one message. A voter's Playground is given a copy of the card as
a message in their chat (not sent to the bot: it does not mention it), so that their button press reaches the bot
exactly as Teams sends it: an ``adaptiveCard/action`` invoke from them, answered with their own view."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.demo_people import DEMO_PEOPLE
from tests.e2e.conftest import connect, running_demo
from tests.e2e.playground import (
    CARD,
    PlaygroundClient,
    RunningDemo,
    card,
    card_text,
    playground_as,
    said,
    text,
)
from tests.support.cards import card_actions

pytestmark = pytest.mark.e2e

PEOPLE = {person.name: person for person in DEMO_PEOPLE}
LABEL = "polls"  # every Playground below is on the same group chat
DELIVERY_WAIT = 60.0  # a bound for the outbox to post or replace the card (it is woken on enqueue)
QUESTION = "Which principle comes first?"


@pytest.fixture(scope="module")
def polls_demo(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with running_demo(tmp_path_factory.mktemp("demo-polls")) as demo:
        yield demo


async def _as(name: str, demo: RunningDemo, workdirs: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    with playground_as(workdirs, name, LABEL, demo.endpoint) as running:
        async for client in connect(running):
            yield client


@pytest.fixture
async def megan(polls_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Megan Bowen", polls_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def alex(polls_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Alex Wilber", polls_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def isaiah(polls_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Isaiah Langer", polls_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def lynne(polls_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Lynne Robbins", polls_demo, tmp_path_factory):
        yield client


async def _card_in_their_chat(client: PlaygroundClient, content: dict[str, Any]) -> dict[str, Any]:
    """The poll's card as a message in this person's copy of the chat (what their Teams shows), to press on."""
    chat = client.playground.chats.group
    body = {
        "attachments": [{"contentType": CARD, "content": content}],
        "attachmentLayout": "list",
        "from": {"id": client.playground.current_user_id},
    }
    async with client.session.post(
        f"{client.base_url}/_conversation/v1/conversations/{chat}/messages", json=body
    ) as response:
        assert response.status == 200, await response.text()
        posted = await response.json(content_type=None)
    return {"message": {"messageId": posted["messageId"], "attachments": body["attachments"]}}


async def _answer(client: PlaygroundClient, content: dict[str, Any], option: str) -> str:
    """Press ``option`` on the poll's card as this person; what their own view of the card then says."""
    copy = await _card_in_their_chat(client, content)
    answer = await client.execute(client.playground.chats.group, copy, option)
    assert answer["type"] == CARD, answer
    return str(answer["value"]["fallbackText"])


async def _card_showing(megan: PlaygroundClient, *wanted: str) -> dict[str, Any]:
    """The chat's poll card once the bot has posted or replaced it to say all of ``wanted``."""
    chat = megan.playground.chats.group
    while True:
        event = await megan.reply(chat, within=DELIVERY_WAIT)
        if event["message"].get("attachments") and all(w in card_text(event) for w in wanted):
            return event


async def _download(demo: RunningDemo, url: str) -> list[dict[str, str]]:
    # The link names the bot's public address; the demo's is its loopback endpoint.
    base = urlsplit(demo.endpoint)
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{base.scheme}://{base.netloc}{urlsplit(url).path}") as got,
    ):
        assert got.status == 200 and got.content_type == "text/csv", await got.text()
        content = await got.read()
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def _csv_of(megan: PlaygroundClient, demo: RunningDemo, final: dict[str, Any]) -> list[dict[str, str]]:
    answer = await megan.execute(megan.playground.chats.group, final, "Download answers (CSV)")
    [link] = [a for a in card_actions(answer["value"]) if a["type"] == "Action.OpenUrl"]
    return await _download(demo, link["url"])


async def test_a_poll_in_a_group_chat_from_link_to_csv(
    megan: PlaygroundClient,
    alex: PlaygroundClient,
    isaiah: PlaygroundClient,
    lynne: PlaygroundClient,
    polls_demo: RunningDemo,
) -> None:
    chat = megan.playground.chats.group
    await megan.install(chat)
    await megan.replies_until(chat, lambda m: said(m).startswith("Welcome"))
    await megan.say(chat, "link PERM4-A", mention=True)
    assert "This chat is linked to **PERM4-A**" in text(await megan.reply(chat))

    await megan.say(chat, f"poll {QUESTION} | Presume capacity | Support to decide | Best interests", mention=True)
    posted = await _card_showing(megan, QUESTION, "No answers yet.")
    content = card(posted)
    assert "Not anonymous" in card_text(posted)

    assert "You chose: Presume capacity" in await _answer(alex, content, "1. Presume capacity")
    assert "You chose: Presume capacity" in await _answer(isaiah, content, "1. Presume capacity")
    assert "You chose: Support to decide" in await _answer(lynne, content, "2. Support to decide")
    assert "You chose: Best interests" in await _answer(lynne, content, "3. Best interests")  # she changes it

    live = await _card_showing(megan, "3 people answered.", "2 votes · 67%", "0 votes · 0%", "1 vote · 33%")
    assert "Closed by" not in card_text(live)

    refused = await alex.execute(alex.playground.chats.group, await _card_in_their_chat(alex, content), "Close poll")
    assert refused["value"].startswith("Sorry, only the trainers of PERM4-A and coordinators can close this poll")

    closed = await megan.execute(chat, live, "Close poll")
    assert "You closed the poll." in closed["value"]["fallbackText"]
    final = await _card_showing(megan, "Closed by Megan Bowen", "3 people answered.")
    assert "2 votes · 67%" in card_text(final) and "1 vote · 33%" in card_text(final)

    rows = await _csv_of(megan, polls_demo, final)
    assert [(r["Voter name"], r["Voter email"], r["Answer"]) for r in rows] == [
        ("Alex Wilber", PEOPLE["Alex Wilber"].email, "Presume capacity"),
        ("Isaiah Langer", PEOPLE["Isaiah Langer"].email, "Presume capacity"),
        ("Lynne Robbins", PEOPLE["Lynne Robbins"].email, "Best interests"),  # her last answer, once
    ]
    assert {(r["Run"], r["Question"], r["Kind"], r["Anonymous"]) for r in rows} == {
        ("PERM4-A", QUESTION, "single choice", "no")
    }
    assert all(r["Answered at (Europe/London)"] for r in rows)

    # Alex pressing the final card's download button gets no link.
    copy = await _card_in_their_chat(alex, card(final))
    no_link = await alex.execute(alex.playground.chats.group, copy, "Download answers (CSV)")
    assert str(no_link["value"]).startswith("Sorry, I can't find that poll, or its answers aren't yours to see")

    # An anonymous rating poll: its CSV says what was answered, and by nobody.
    await megan.say(chat, "poll [rating anonymous] How confident are you now? | Not at all | Very", mention=True)
    anonymous = card(await _card_showing(megan, "How confident are you now?", "No answers yet."))
    assert "Anonymous: nobody" in anonymous["fallbackText"]
    await _answer(alex, anonymous, "4")
    await _answer(lynne, anonymous, "5 · Very")
    live = await _card_showing(megan, "How confident are you now?", "2 people answered.")
    await megan.execute(chat, live, "Close poll")
    final = await _card_showing(megan, "How confident are you now?", "Closed by Megan Bowen")
    rows = await _csv_of(megan, polls_demo, final)
    assert sorted(r["Answer"] for r in rows) == ["4 of 5", "5 of 5"]
    assert {r["Kind"] for r in rows} == {"rating"}
    for row in rows:
        assert row["Anonymous"] == "yes"
        assert (row["Voter name"], row["Voter email"], row["Answered at (Europe/London)"]) == ("", "", "")
    flat = str(rows)
    assert not any(p.name.split()[0] in flat or p.aad_object_id in flat or p.email in flat for p in DEMO_PEOPLE)
