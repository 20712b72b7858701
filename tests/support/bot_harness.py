"""Drive the message flows through botbuilder's TestAdapter, with state in the real database."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import InvokeResponse, PrivateConversationState, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.clock import Clock
from dialogs.dispatcher import MessageDispatcher
from dialogs.services import BotServices
from storage.state_storage import SqlAlchemyStorage

LONDON = ZoneInfo("Europe/London")
PARTICIPANT_AAD = "00000000-0000-0000-0000-0000000000020"


class Conversation:
    """One person chatting with the bot; each ``say`` runs a turn and returns what the bot sent."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        aad_object_id: str = PARTICIPANT_AAD,
        name: str = "Alex Wilber",
        conversation_type: str = "personal",
        conversation_id: str = "conv-1",
    ) -> None:
        self.services = BotServices(session_factory, clock, LONDON)
        self.state = PrivateConversationState(SqlAlchemyStorage(session_factory))
        self.dispatcher = MessageDispatcher(self.services, self.state.create_property("DialogState"))
        self.adapter = TestAdapter(self._logic)
        self.user = ChannelAccount(id="29:user", name=name, aad_object_id=aad_object_id)
        self.conversation = ConversationAccount(
            id=conversation_id, conversation_type=conversation_type, is_group=conversation_type != "personal"
        )
        self.invoke_responses: list[InvokeResponse] = []

    async def _logic(self, turn_context: TurnContext) -> None:
        if turn_context.activity.type == ActivityTypes.invoke:
            self.invoke_responses.append(await self.dispatcher.on_card_action(turn_context))
        else:
            await self.dispatcher.on_message(turn_context)
        await self.state.save_changes(turn_context)

    async def _turn(self, activity: Activity) -> list[Activity]:
        activity.from_property = self.user
        activity.conversation = self.conversation
        activity.channel_id = "msteams"
        before = len(self.adapter.activity_buffer)
        await self.adapter.receive_activity(activity)
        replies = list(self.adapter.activity_buffer[before:])
        self.adapter.activity_buffer = self.adapter.activity_buffer[:before]
        return replies

    async def say(self, text: str) -> list[Activity]:
        return await self._turn(Activity(type=ActivityTypes.message, text=text))

    async def press(self, verb: str, args: str = "") -> list[Activity]:
        """Press a card button (Action.Submit): no text, the action's data as ``value``."""
        return await self._turn(Activity(type=ActivityTypes.message, value={"verb": verb, "args": args}))

    async def submit(self, value: dict[str, Any]) -> list[Activity]:
        """Press any Action.Submit button: its data, merged with the card's inputs, as ``value``."""
        return await self._turn(Activity(type=ActivityTypes.message, value=value))

    async def execute(
        self, verb: str, data: dict[str, Any], *, activity_id: str | None = None
    ) -> tuple[InvokeResponse, list[Activity]]:
        """Press an Action.Execute button: an ``adaptiveCard/action`` invoke shaped as Teams sends it.

        Returns the invoke answer and anything else the turn sent. Each call gets a fresh activity id (as from
        Teams) unless one is given, e.g. to replay a redelivery.
        """
        activity = Activity(
            type=ActivityTypes.invoke,
            name="adaptiveCard/action",
            id=activity_id or str(uuid.uuid4()),
            value={"action": {"type": "Action.Execute", "title": verb, "verb": verb, "data": data}},
        )
        before = len(self.invoke_responses)
        sent = await self._turn(activity)
        assert len(self.invoke_responses) == before + 1, "the invoke got no answer"
        return self.invoke_responses[-1], sent

    @property
    def updated_activities(self) -> list[Activity]:
        """Messages the bot replaced (``update_activity``) during this conversation's turns."""
        return self.adapter.updated_activities


def card_of(activity: Activity) -> dict[str, Any]:
    assert activity.attachments, f"expected a card, got text: {activity.text!r}"
    attachment = activity.attachments[0]
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    return attachment.content


def card_text(activity: Activity) -> str:
    return card_of(activity)["fallbackText"]


def texts(activities: Iterable[Activity]) -> str:
    return "\n".join(a.text or card_text(a) for a in activities)
