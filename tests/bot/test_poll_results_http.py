"""After the session, over real HTTP: ``polls RUN`` and ``poll results N`` for the run's trainers and coordinators
(anyone else: the same words as for a missing poll), and the CSV download: a link only the presser sees (the
closed card's button, answered by invoke), served at an expiring address with a byte-order mark and no caching."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.app import RUNTIME
from tests.support.enrolment import OTHER_TRAINER_AAD, TRAINER_AAD
from tests.support.polls import load_poll_world

GROUP_CHAT = "33fc008e-8cd1-4344-bbec-5128707c3b3f"  # the Playground's group chat
IN_CHAT = {"id": GROUP_CHAT, "conversationType": "groupChat", "isGroup": True}
ZOE = {"id": "user-id-9", "name": "Zoe Rosenfield", "aadObjectId": TRAINER_AAD}
MEGAN = {"id": "user-id-8", "name": "Megan Bowen", "aadObjectId": OTHER_TRAINER_AAD}
ALEX = {"id": "user-id-0", "name": "Alex Wilber", "aadObjectId": "aad-alex"}
LYNNE = {"id": "user-id-2", "name": "=Lynne Robbins", "aadObjectId": "aad-lynne"}
QUESTION = "Which principle comes first?"
DRAIN_BOUND = 60  # seconds: a safety net against a hang, not a timing assertion


async def _delivered(client) -> None:  # type: ignore[no-untyped-def]
    dispatcher = client.server.app[RUNTIME].delivery.dispatcher
    dispatcher.wake()
    async with asyncio.timeout(DRAIN_BOUND):
        await dispatcher.drained()


async def _in_chat(client, activity, who: dict[str, Any], words: str) -> None:  # type: ignore[no-untyped-def]
    body = activity("groupchat-message-mention", **{"from": who})
    body["text"] = f"<at>Test Bot</at> {words}"
    assert (await client.post("/api/messages", json=body)).status in (200, 201)


async def _in_private(client, activity, who: dict[str, Any], words: str) -> None:  # type: ignore[no-untyped-def]
    body = activity("personal-message", **{"from": who}, text=words)
    assert (await client.post("/api/messages", json=body)).status in (200, 201)


async def _press(client, activity, who: dict[str, Any], verb: str, data: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = activity("card-action-execute-invoke", **{"from": who}, conversation=IN_CHAT)
    body["value"] = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
    response = await client.post("/api/messages", json=body)
    assert response.status == 200
    return await response.json()


def _actions(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(element: Any) -> None:
        if isinstance(element, list):
            for item in element:
                walk(item)
        elif isinstance(element, dict):
            if element.get("type") == kind:
                found.append(element)
            for key in ("body", "items", "actions", "columns"):
                walk(element.get(key))

    walk(card)
    return found


def _last_card(connector) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return next(b for b in reversed(connector.bodies()) if b.get("attachments"))["attachments"][0]["content"]


@pytest.fixture
async def closed(client, activity, connector, session_factory, clock) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """PERMX-A's chat with a closed named poll (Alex chose 1; Lynne, whose name starts with "=", chose 2);
    returns the final card the chat shows."""
    await load_poll_world(session_factory)
    await client.post("/api/messages", json=activity("installation-update-add-groupchat"))
    await _in_chat(client, activity, ZOE, "link PERMX-A")
    await _in_chat(client, activity, ZOE, f"poll {QUESTION} | Presume capacity | Best interests")
    await _delivered(client)
    card = _last_card(connector)
    [first, second] = [a["data"] for a in _actions(card, "Action.Execute") if a["verb"] == "poll.vote"]
    await _press(client, activity, ALEX, "poll.vote", first)
    await _press(client, activity, LYNNE, "poll.vote", second)
    await _press(client, activity, ZOE, "poll.close", {"poll": first["poll"]})
    clock.advance(timedelta(seconds=2))
    await _delivered(client)
    final = connector.bodies()[-1]["attachments"][0]["content"]
    assert "Closed by Zoe Rosenfield" in final["fallbackText"]
    return final


async def _download(client, url: str):  # type: ignore[no-untyped-def]
    parts = urlsplit(url)
    return await client.get(parts.path)


async def test_the_closed_cards_button_gives_the_trainer_alone_a_link_to_the_csv(client, activity, closed) -> None:  # type: ignore[no-untyped-def]
    [button] = [a for a in _actions(closed, "Action.Execute") if a["verb"] == "poll.export"]
    assert button["fallback"]["data"]["verb"] == "poll export" and _actions(closed, "Action.OpenUrl") == []

    answer = await _press(client, activity, ZOE, "poll.export", button["data"])
    [link] = _actions(answer["value"], "Action.OpenUrl")
    assert "/exports/polls/" in link["url"] and link["url"].endswith(".csv")
    response = await _download(client, link["url"])
    assert response.status == 200 and response.content_type == "text/csv"
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    assert "attachment" in response.headers["Content-Disposition"]
    content = await response.read()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [(r["Voter name"], r["Answer"]) for r in rows] == [
        ("Alex Wilber", "Presume capacity"),
        ("'=Lynne Robbins", "Best interests"),  # a name a spreadsheet would run as a formula is made inert
    ]


async def test_anyone_else_pressing_it_gets_no_link_and_the_same_words_as_for_no_poll(client, activity, closed) -> None:  # type: ignore[no-untyped-def]
    [button] = [a for a in _actions(closed, "Action.Execute") if a["verb"] == "poll.export"]
    for who in (ALEX, MEGAN):  # a participant; a trainer of another run
        refused = await _press(client, activity, who, "poll.export", button["data"])
        assert refused["value"].startswith("Sorry, I can't find that poll, or its answers aren't yours to see")
    missing = await _press(client, activity, ZOE, "poll.export", {"poll": 99_999})
    assert missing["value"] == refused["value"]


async def test_an_expired_link_is_gone(client, activity, closed, clock) -> None:  # type: ignore[no-untyped-def]
    [button] = [a for a in _actions(closed, "Action.Execute") if a["verb"] == "poll.export"]
    answer = await _press(client, activity, ZOE, "poll.export", button["data"])
    [link] = _actions(answer["value"], "Action.OpenUrl")
    clock.advance(timedelta(minutes=61))
    response = await _download(client, link["url"])
    assert response.status == 404 and "expired or does not exist" in await response.text()
    assert (await client.get("/exports/polls/" + "A" * 43 + ".csv")).status == 404


async def test_results_in_the_chat_show_counts_and_a_button_never_a_link(client, activity, connector, closed) -> None:  # type: ignore[no-untyped-def]
    poll_id = closed["body"] and next(a["data"]["poll"] for a in _actions(closed, "Action.Execute"))
    await _in_chat(client, activity, ZOE, f"poll results {poll_id}")
    card = _last_card(connector)
    assert "Presume capacity\n1 vote · 50%" in card["fallbackText"] and "2 people answered" in card["fallbackText"]
    assert _actions(card, "Action.OpenUrl") == [] and "/exports/" not in str(card)

    await _in_chat(client, activity, ZOE, "polls")  # in the linked chat: its run
    listing = _last_card(connector)
    assert "Polls of PERMX-A" in listing["fallbackText"] and QUESTION in listing["fallbackText"]
    assert _actions(listing, "Action.OpenUrl") == []

    await _in_chat(client, activity, ZOE, f"poll export {poll_id}")  # the fallback, typed in the chat
    assert "only give them to you alone" in connector.bodies()[-1]["text"]
    assert "/exports/" not in str(connector.bodies()[-1])

    await _in_chat(client, activity, MEGAN, f"poll results {poll_id}")
    refused = connector.bodies()[-1]["text"]
    await _in_chat(client, activity, ZOE, "poll results 99999")
    assert connector.bodies()[-1]["text"] == refused and refused.startswith("Sorry, I can't find that poll")


async def test_in_a_one_to_one_chat_the_run_and_its_download_link(client, activity, connector, closed) -> None:  # type: ignore[no-untyped-def]
    await _in_private(client, activity, ZOE, "polls PERMX-A")
    listing = _last_card(connector)
    assert "Polls of PERMX-A" in listing["fallbackText"] and "Presume capacity\n1 vote · 50%" in listing["fallbackText"]
    await _in_private(client, activity, ZOE, "polls export PERMX-A")
    [link] = _actions(_last_card(connector), "Action.OpenUrl")
    rows = list(csv.DictReader(io.StringIO((await (await _download(client, link["url"])).read()).decode("utf-8-sig"))))
    assert len(rows) == 2 and {r["Run"] for r in rows} == {"PERMX-A"}
    await _in_private(client, activity, MEGAN, "polls PERMX-A")
    refused = connector.bodies()[-1]["text"]
    await _in_private(client, activity, ZOE, "polls NOPE-9")
    assert refused.startswith("Sorry, I can't find a run PERMX-A")
    assert connector.bodies()[-1]["text"] == refused.replace("PERMX-A", "NOPE-9")
