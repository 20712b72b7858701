"""Polls over real HTTP with the activity shapes Teams (the Agents Playground) sends in a group chat: a trainer
links the chat and posts a poll; the outbox posts its card; answers (Action.Execute invokes) are answered with the
voter's own view; the app's own dispatcher replaces the chat's card at most once a second, several answers in
between becoming one update; a redelivered answer counts once; the close sends the final card."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.app import RUNTIME
from tests.support.enrolment import TRAINER_AAD
from tests.support.polls import load_poll_world

GROUP_CHAT = "33fc008e-8cd1-4344-bbec-5128707c3b3f"  # the Playground's group chat
IN_CHAT = {"id": GROUP_CHAT, "conversationType": "groupChat", "isGroup": True}
ZOE = {"id": "user-id-9", "name": "Zoe Rosenfield", "aadObjectId": TRAINER_AAD}
VOTERS = [
    {"id": f"user-id-{n}", "name": name, "aadObjectId": f"aad-{name.lower()}"}
    for n, name in enumerate(("Alex", "Isaiah", "Lynne"))
]
DRAIN_BOUND = 60  # seconds: a safety net against a hang, not a timing assertion


async def delivered(client) -> None:  # type: ignore[no-untyped-def]
    dispatcher = client.server.app[RUNTIME].delivery.dispatcher
    dispatcher.wake()
    async with asyncio.timeout(DRAIN_BOUND):
        await dispatcher.drained()


async def mention(client, activity, who: dict[str, Any], words: str) -> None:  # type: ignore[no-untyped-def]
    body = activity("groupchat-message-mention", **{"from": who})
    body["text"] = f"<at>Test Bot</at> {words}"
    assert (await client.post("/api/messages", json=body)).status in (200, 201)


def invoke(activity, who: dict[str, Any], verb: str, data: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = activity("card-action-execute-invoke", **{"from": who}, conversation=IN_CHAT)
    body["value"] = {"action": {"type": "Action.Execute", "title": verb, "verb": verb, "data": data}}
    return body


async def press(client, body: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post("/api/messages", json=body)
    assert response.status == 200
    return await response.json()


@pytest.fixture
async def posted(client, activity, connector, session_factory) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """PERMX-A's chat, linked by its trainer, with a poll whose card the outbox has posted; returns that card."""
    await load_poll_world(session_factory)
    await client.post("/api/messages", json=activity("installation-update-add-groupchat"))
    await mention(client, activity, ZOE, "link PERMX-A")
    assert "linked to **PERMX-A**" in connector.bodies()[-1]["text"]
    await mention(client, activity, ZOE, "poll Which principle comes first? | Presume capacity | Best interests")
    await delivered(client)
    [post] = [
        r
        for r in connector.requests
        if r["method"] == "POST"
        and r["body"].get("attachments")
        and "Which principle" in r["body"]["attachments"][0]["content"]["fallbackText"]
    ]
    assert post["path"] == f"/v3/conversations/{GROUP_CHAT}/activities"
    return post["body"]["attachments"][0]["content"]


def _vote_data(card: dict[str, Any], title: str) -> dict[str, Any]:
    [action] = [
        a for item in card["body"] if item.get("type") == "ActionSet" for a in item["actions"] if a["title"] == title
    ]
    return action["data"]


async def test_answers_update_the_chats_card_at_most_once_a_second(client, activity, connector, clock, posted) -> None:
    puts = lambda: [r for r in connector.requests if r["method"] == "PUT"]  # noqa: E731
    first = _vote_data(posted, "1. Presume capacity")
    second = _vote_data(posted, "2. Best interests")

    clock.advance(timedelta(seconds=1))
    alex = invoke(activity, VOTERS[0], "poll.vote", first)
    answer = await press(client, alex)
    assert "You chose: Presume capacity" in answer["value"]["fallbackText"]
    await press(client, alex)  # Teams redelivers the same invoke: it runs once
    await delivered(client)
    [update] = puts()
    assert "1 person answered." in update["body"]["attachments"][0]["content"]["fallbackText"]

    # Two answers within the same second: the card waits for its second, then shows both in one update.
    await press(client, invoke(activity, VOTERS[1], "poll.vote", first))
    await press(client, invoke(activity, VOTERS[2], "poll.vote", second))
    clock.advance(timedelta(seconds=1))
    await delivered(client)
    assert len(puts()) == 2
    shown = puts()[-1]["body"]["attachments"][0]["content"]["fallbackText"]
    assert "3 people answered." in shown and "2 votes · 67%" in shown and "1 vote · 33%" in shown

    refused = await press(client, invoke(activity, VOTERS[0], "poll.close", {"poll": first["poll"]}))
    assert refused["value"].startswith("Sorry, only the trainers of PERMX-A")
    closed = await press(client, invoke(activity, ZOE, "poll.close", {"poll": first["poll"]}))
    assert "You closed the poll." in closed["value"]["fallbackText"]
    clock.advance(timedelta(seconds=1))
    await delivered(client)
    assert len(puts()) == 3 and {p["path"] for p in puts()} == {puts()[0]["path"]}  # one message, replaced
    final = puts()[-1]["body"]["attachments"][0]["content"]
    assert "Closed by Zoe Rosenfield" in final["fallbackText"] and "3 people answered." in final["fallbackText"]


async def test_a_private_open_question_over_http_gives_the_launcher_every_answer_in_their_own_chat(
    client, activity, connector, clock, posted
) -> None:
    """Send my answer (the text box's value in the invoke's data) is answered with the voter's own view; the chat's
    card lists the voter for a per-user refresh but never the answer; the launcher's copy goes to their 1:1 chat."""
    zoes_chat = {"id": "zoe-personal-chat", "conversationType": "personal"}
    installed = activity("installation-update-add", **{"from": ZOE}, conversation=zoes_chat)
    assert (await client.post("/api/messages", json=installed)).status in (200, 201)  # Zoe's 1:1 chat with the bot
    await mention(client, activity, ZOE, "poll [private text] What will you do differently?")
    await delivered(client)
    [post] = [
        r
        for r in connector.requests
        if r["method"] == "POST"
        and r["body"].get("attachments")
        and "What will you do" in r["body"]["attachments"][0]["content"]["fallbackText"]
        and r["path"] == f"/v3/conversations/{GROUP_CHAT}/activities"
    ]
    card = post["body"]["attachments"][0]["content"]
    [send] = [a for item in card["body"] if item.get("type") == "ActionSet" for a in item["actions"]][:1]
    assert send["title"] == "Send my answer"
    clock.advance(timedelta(seconds=1))
    data = {**send["data"], "answer_text": "Ask the child first"}
    answer = await press(client, invoke(activity, VOTERS[0], send["verb"], data))
    assert "You chose: Ask the child first" in answer["value"]["fallbackText"]
    clock.advance(timedelta(seconds=1))
    await delivered(client)
    chat_copy = [r for r in connector.requests if r["method"] == "PUT" and GROUP_CHAT in r["path"]][-1]
    content = chat_copy["body"]["attachments"][0]["content"]
    assert "Ask the child" not in str(content) and "Results go to Zoe Rosenfield only." in content["fallbackText"]
    assert content["refresh"]["userIds"] == [VOTERS[0]["id"]]
    launchers = [
        r
        for r in connector.requests
        if r["method"] in ("POST", "PUT")
        and r["path"].startswith("/v3/conversations/zoe-personal-chat/")
        and r["body"].get("attachments")
        and "only you see it" in r["body"]["attachments"][0]["content"]["fallbackText"]
    ]
    assert launchers and "Ask the child first" in launchers[-1]["body"]["attachments"][0]["content"]["fallbackText"]
