"""A card action's answer is sent once, in an activity botbuilder's copy of every outgoing activity copies
shallowly: the copy gets its own conversation fields, the answer itself is shared (a deep copy cost ~50 µs)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount, ResourceResponse

from bot.teams_bot import ClassroomBot
from dialogs.card_actions import card_answer


class _Adapter(BotAdapter):
    """Records what is sent; keeps an invoke's answer in the turn state, as botbuilder's adapters do."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Activity] = []

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        for activity in activities:
            self.sent.append(activity)
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = activity
        return [ResourceResponse(id="") for _ in activities]

    # BotAdapter's abstract methods: a card action's answer only sends, so a call to these is a failure of the test.
    async def update_activity(self, context: TurnContext, activity: Activity) -> Any:
        raise AssertionError("a card action's answer updates no activity")

    async def delete_activity(self, context: TurnContext, reference: Any) -> None:
        raise AssertionError("a card action's answer deletes no activity")


class _State:
    def get(self, _context: TurnContext) -> None:
        return None

    async def save_changes(self, _context: TurnContext) -> None:
        return None


class _Dispatcher:
    def __init__(self, answer: Any) -> None:
        self.answer = answer

    async def on_card_action(self, _context: TurnContext) -> Any:
        return self.answer


async def test_a_card_actions_answer_is_sent_once_and_shared_not_deep_copied() -> None:
    answer = card_answer({"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "Hi"}]})
    adapter = _Adapter()
    invoke = Activity(
        type=ActivityTypes.invoke,
        name="adaptiveCard/action",
        id="invoke-1",
        channel_id="msteams",
        service_url="https://smba.example/",
        conversation=ConversationAccount(id="a:chat"),
        from_property=ChannelAccount(id="29:user"),
        recipient=ChannelAccount(id="28:bot"),
    )
    bot = ClassroomBot(_State(), _Dispatcher(answer))  # type: ignore[arg-type]
    await bot.on_turn(TurnContext(adapter, invoke))
    [sent] = adapter.sent
    assert sent.type == ActivityTypes.invoke_response
    assert sent.value is answer  # shared: a deep copy would have copied it
    assert sent.conversation.id == "a:chat" and sent.recipient.id == "29:user" and sent.reply_to_id == "invoke-1"
