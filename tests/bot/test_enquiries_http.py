"""Enquiries over real HTTP, with the activity shapes Teams (the Agents Playground) sends: a participant's
enquiry reaches the coordinators' group chat as a card through the outbox; a coordinator's Action.Execute is
answered with the updated card and the delivered card is replaced for everyone; a participant crafting the
same invoke (or a submit) is refused and changes nothing; a redelivered "Send" makes one enquiry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import RUNTIME
from storage.models import (
    DesignatedConversation,
    Enquiry,
    EnquiryAction,
    EnquiryEvent,
    EnquiryStatus,
    OutboxNotification,
)
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import COORDINATOR_AAD, QUESTION_ANSWERS, make_coordinator
from tests.support.members import teams_member

GROUP_CHAT = "33fc008e-8cd1-4344-bbec-5128707c3b3f"  # the Playground's group chat
ADELE = {"id": "user-id-2", "name": "Adele Vance", "aadObjectId": COORDINATOR_AAD}
DRAIN_BOUND = 60  # seconds: a safety net against a hang, not a timing assertion


@pytest.fixture
async def setup(client, activity, connector, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    """Demo catalogue, Adele a coordinator, the bot in Alex's chat and in the group chat Adele chose."""
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory)
    await client.post("/api/messages", json=activity("installation-update-add"))  # Alex's 1:1 chat
    await client.post("/api/messages", json=activity("installation-update-add-groupchat"))
    connector.members[GROUP_CHAT] = [teams_member(COORDINATOR_AAD, "Adele Vance", user_id="user-id-2")]
    here = activity("groupchat-message-mention", **{"from": ADELE})
    here["text"] = "<at>Test Bot</at> coordinators here"
    response = await client.post("/api/messages", json=here)
    assert response.status in (200, 201)
    assert connector.bodies()[-1]["text"].startswith("Done")


async def say(client, activity, text: str) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/messages", json=activity("personal-message", text=text))
    assert response.status in (200, 201)


async def delivered(client) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app's own outbox dispatcher has sent everything queued so far."""
    async with asyncio.timeout(DRAIN_BOUND):
        await client.server.app[RUNTIME].delivery.dispatcher.drained()


def execute(activity, verb: str, data: dict[str, Any], **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = activity("card-action-execute-invoke", **changes)
    body["value"] = {"action": {"type": "Action.Execute", "title": verb, "verb": verb, "data": data}}
    return body


async def make_enquiry(client, activity) -> None:  # type: ignore[no-untyped-def]
    await say(client, activity, "enquire")
    for answer in QUESTION_ANSWERS:
        await say(client, activity, answer)
    response = await client.post("/api/messages", json=activity("card-action-submit", value={"args": "send"}))
    assert response.status in (200, 201)


async def test_enquiry_to_coordinators_card_then_actions_over_http(
    client, activity, connector, session_factory, clock, setup
) -> None:
    await make_enquiry(client, activity)
    await delivered(client)
    assert any("Your enquiry **ENQ-2026-0001** has been sent" in (b.get("text") or "") for b in connector.bodies())
    [card_post] = [
        r
        for r in connector.requests
        if r["method"] == "POST"
        and r["path"] == f"/v3/conversations/{GROUP_CHAT}/activities"
        and r["body"].get("attachments")
        and "ENQ-2026-0001" in r["body"]["attachments"][0]["content"]["fallbackText"]
    ]
    async with session_factory() as session:
        card_row = await session.scalar(select(OutboxNotification).where(OutboxNotification.kind == "enquiries.card"))
        enquiry = await session.scalar(select(Enquiry))
    assert card_row.activity_id and card_row.sent_conversation_id == GROUP_CHAT

    # Adele presses "Assign to me" on the delivered card in the group chat.
    invoke = execute(
        activity,
        "enquiry.assign",
        {"enquiry": enquiry.id},
        **{"from": ADELE},
        conversation={"id": GROUP_CHAT, "conversationType": "groupChat", "isGroup": True},
        replyToId=card_row.activity_id,
    )
    requests_before = len(connector.requests)
    response = await client.post("/api/messages", json=invoke)
    assert response.status == 200
    answer = await response.json()
    assert answer["statusCode"] == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Assigned to Adele Vance" in answer["value"]["fallbackText"]
    # The group chat's copy is replaced by the outbox dispatcher, after the answer: not on the click's turn.
    await delivered(client)
    [put] = [r for r in connector.requests[requests_before:] if r["method"] == "PUT"]
    assert put["path"] == f"/v3/conversations/{GROUP_CHAT}/activities/{card_row.activity_id}"
    updated = put["body"]["attachments"][0]["content"]
    assert (
        "Assigned to Adele Vance" in updated["fallbackText"] and "It's assigned to you." not in updated["fallbackText"]
    )
    assert card_post  # the card that was replaced is the one the outbox delivered

    # Adele replies from the card: the reply goes to Alex's 1:1 chat through the outbox.
    reply = execute(
        activity,
        "enquiry.reply",
        {"enquiry": enquiry.id, "reply": "Yes: PERM4 runs again in March."},
        **{"from": ADELE},
        conversation={"id": GROUP_CHAT, "conversationType": "groupChat"},
    )
    response = await client.post("/api/messages", json=reply)
    assert "Your reply is on its way" in (await response.json())["value"]["fallbackText"]
    await delivered(client)
    to_alex = [
        r["body"]
        for r in connector.requests
        if r["method"] == "POST"
        and r["path"] == "/v3/conversations/af809acf-bc6c-4d54-a71a-1a997795c42c/activities"
        and r["body"].get("attachments")
    ]
    assert "Reply to your enquiry ENQ-2026-0001" in to_alex[-1]["attachments"][0]["content"]["fallbackText"]
    assert "Yes: PERM4 runs again in March." in to_alex[-1]["attachments"][0]["content"]["fallbackText"]


@pytest.mark.parametrize("verb", ["enquiry.assign", "enquiry.reply", "enquiry.close"])
async def test_a_crafted_invoke_from_a_participant_is_refused(
    client, activity, connector, session_factory, setup, verb: str
) -> None:
    await make_enquiry(client, activity)
    await delivered(client)  # the coordinators' card is out: from here on, nothing may be sent
    async with session_factory() as session:
        enquiry = await session.scalar(select(Enquiry))
    requests_before = len(connector.requests)
    # Alex (a participant) sends exactly what the coordinator card's button would send, from his own chat.
    crafted = execute(activity, verb, {"enquiry": enquiry.id, "reply": "Answering myself"})
    response = await client.post("/api/messages", json=crafted)
    assert response.status == 200
    answer = await response.json()
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert answer["value"].startswith("Sorry, only coordinators") and "ENQ-2026" not in answer["value"]
    await delivered(client)
    assert connector.requests[requests_before:] == []  # no card replaced, nothing sent
    async with session_factory() as session:
        stored = await session.get(Enquiry, enquiry.id)
        actions = list(await session.scalars(select(EnquiryEvent.action)))
        replies = (
            await session.scalars(select(OutboxNotification).where(OutboxNotification.kind == "enquiries.reply"))
        ).all()
    assert stored.status is EnquiryStatus.AWAITING_REPLY and stored.assignee_aad_object_id is None
    assert actions == [EnquiryAction.CREATED] and replies == []


async def test_a_crafted_submit_is_not_an_action(client, activity, connector, session_factory, setup) -> None:
    await make_enquiry(client, activity)
    async with session_factory() as session:
        enquiry = await session.scalar(select(Enquiry))
    await delivered(client)
    await client.post(
        "/api/messages", json=activity("card-action-submit", value={"verb": "enquiry.close", "enquiry": enquiry.id})
    )
    assert "didn't understand" in connector.bodies()[-1]["text"]
    async with session_factory() as session:
        assert (await session.get(Enquiry, enquiry.id)).status is EnquiryStatus.AWAITING_REPLY


async def test_a_redelivered_send_makes_one_enquiry(
    app_factory, client, activity, connector, session_factory, setup
) -> None:
    await say(client, activity, "enquire")
    for answer in QUESTION_ANSWERS:
        await say(client, activity, answer)
    send = activity("card-action-submit", value={"args": "send"})
    async with app_factory() as other_process:  # a second bot process on the same database
        responses = await asyncio.gather(
            client.post("/api/messages", json=send), other_process.post("/api/messages", json=send)
        )
        assert all(r.status in (200, 201) for r in responses)
        again = await client.post("/api/messages", json=send)  # and Teams retries once more, later
        assert again.status in (200, 201)
    async with session_factory() as session:
        enquiries = (await session.scalars(select(Enquiry))).all()
        cards = await session.scalars(select(OutboxNotification).where(OutboxNotification.kind == "enquiries.card"))
        cards = cards.all()
    assert [e.reference for e in enquiries] == ["ENQ-2026-0001"] and len(cards) == 1
    told = [b.get("text") or "" for b in connector.bodies()]
    assert any("ENQ-2026-0001" in text for text in told)


async def test_coordinators_here_in_a_chat_with_others_is_refused_naming_them(
    client, activity, connector, session_factory, clock
) -> None:
    """Teams' member list (Microsoft's documented shape, in pages) decides; the chat is not chosen."""
    await make_coordinator(session_factory)
    await client.post("/api/messages", json=activity("installation-update-add-groupchat"))
    connector.members[GROUP_CHAT] = [teams_member(COORDINATOR_AAD, "Adele Vance", user_id="user-id-2")] + [
        teams_member(f"00000000-0000-0000-0000-0000000001{n:02d}", f"Member {n:02d}") for n in range(250)
    ]
    here = activity("groupchat-message-mention", **{"from": ADELE})
    here["text"] = "<at>Test Bot</at> coordinators here"
    await client.post("/api/messages", json=here)
    refusal = connector.bodies()[-1]["text"]
    assert refusal.startswith("I haven't chosen this chat for coordinators")
    assert "Member 00, Member 01, Member 02, Member 03, Member 04 and 245 others are in it" in refusal
    async with session_factory() as session:
        assert await session.scalar(select(DesignatedConversation)) is None


async def test_someone_without_the_role_joining_the_coordinators_chat_stops_enquiries_going_there(
    client, activity, connector, session_factory, setup
) -> None:
    """Teams' conversationUpdate (as the Playground sends it when Alex is added to the group chat): the chat stops
    being the coordinators' at once, says so there, and the next enquiry goes to each coordinator's 1:1 chat."""
    await client.post("/api/messages", json=activity("conversation-update-members-added-groupchat-user"))
    notice = connector.bodies()[-1]["text"]
    assert notice.startswith("1 person without the coordinator role joined, so enquirers' names")
    async with session_factory() as session:
        assert await session.scalar(select(DesignatedConversation)) is None
    await make_enquiry(client, activity)
    async with session_factory() as session:
        keys = set(await session.scalars(select(OutboxNotification.dedupe_key)))
    assert not any(key.endswith(":chat") for key in keys), keys
    assert any(key.endswith(f":{COORDINATOR_AAD}") for key in keys), keys


async def test_a_coordinator_joining_the_coordinators_chat_changes_nothing(
    client, activity, connector, session_factory, setup
) -> None:
    posted = len(connector.bodies())
    joined = activity("conversation-update-members-added-groupchat-user", membersAdded=[ADELE])
    assert (await client.post("/api/messages", json=joined)).status in (200, 201)
    assert len(connector.bodies()) == posted
    async with session_factory() as session:
        assert (await session.scalar(select(DesignatedConversation.conversation_id))) == GROUP_CHAT
