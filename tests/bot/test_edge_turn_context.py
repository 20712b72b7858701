"""Our turn context sends what botbuilder's sends, addressed the same, with the reply's address made once a turn
(``bot/turn_context.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core import BotAdapter, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    DeliveryModes,
)

from bot.connector.serialization import wire_json
from bot.turn_context import EdgeTurnContext
from dialogs.cards.base import card, text
from dialogs.cards.messages import card_activity
from tests.bot.test_invoke_answer_copy import _Adapter


def _received(**changes: Any) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        id="incoming-1",
        text="enrol PERMPLAN-2",
        channel_id="msteams",
        locale="en-GB",
        service_url="https://smba.example/",
        conversation=ConversationAccount(id="a:chat-1", conversation_type="personal", tenant_id="t1"),
        from_property=ChannelAccount(id="29:user", name="Alex", aad_object_id="aad-1"),
        recipient=ChannelAccount(id="28:bot", name="Classroom"),
        **changes,
    )


async def _sent_by(context_class: type[TurnContext], adapter: BotAdapter, received: Activity) -> list[Any]:
    context = context_class(adapter, received)
    await context.send_activity("Back to your enrolment:")
    await context.send_activities([MessageFactory.text("one"), card_activity(card([text("Hi")]))])
    await context.send_activity(Activity(type=ActivityTypes.trace, name="trace"))
    assert context.responded
    return [wire_json(activity) for activity in context.buffered_reply_activities or adapter.sent]


@pytest.mark.parametrize("delivery_mode", [None, DeliveryModes.expect_replies])
async def test_replies_are_sent_and_addressed_as_botbuilder_sends_them(
    delivery_mode: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = _Adapter(), _Adapter()
    assert await _sent_by(EdgeTurnContext, ours, _received(delivery_mode=delivery_mode)) == await _sent_by(
        TurnContext, theirs, _received(delivery_mode=delivery_mode)
    )

    made: list[Activity] = []
    reference = TurnContext.get_conversation_reference

    def counted(activity: Activity) -> Any:
        made.append(activity)
        return reference(activity)

    monkeypatch.setattr(TurnContext, "get_conversation_reference", staticmethod(counted))
    await _sent_by(EdgeTurnContext, _Adapter(), _received(delivery_mode=delivery_mode))
    assert len(made) == 1  # botbuilder's made it for each of the three sends


async def test_send_handlers_still_see_every_send() -> None:
    seen: list[str] = []

    async def handler(_context: TurnContext, activities: list[Activity], next_send: Any) -> Any:
        seen.extend(activity.text for activity in activities)
        return await next_send()

    context = EdgeTurnContext(_Adapter(), _received())
    context.on_send_activities(handler)
    await context.send_activity("hello")
    assert seen == ["hello"]


@pytest.mark.parametrize("context_class", [TurnContext, EdgeTurnContext])
async def test_a_handler_changing_one_replys_address_leaves_the_next_replys(context_class: type[TurnContext]) -> None:
    adapter = _Adapter()
    context = context_class(adapter, _received())

    async def to_thread(_context: TurnContext, activities: list[Activity], next_send: Any) -> Any:
        if activities[0].text == "first":  # the first reply to a thread, as a Teams channel reply is addressed
            activities[0].conversation.id += ";messageid=1"
            activities[0].recipient.name = "changed"
            activities[0].from_property.name = "changed"
        return await next_send()

    context.on_send_activities(to_thread)
    await context.send_activity("first")
    await context.send_activity("second")
    second = adapter.sent[1]
    assert (second.conversation.id, second.recipient.name, second.from_property.name) == (
        "a:chat-1",
        "Alex",
        "Classroom",
    )
