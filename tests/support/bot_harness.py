"""Drive the bot through botbuilder's TestAdapter with the production pipeline (``bot.assembly.build_bot``:
the same handler, dispatcher, middleware and error handler as the running bot), state in the real database."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import BotAdapter, InvokeResponse, Middleware, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount, Entity
from botbuilder.schema.teams import TeamsChannelAccount, TeamsPagedMembersResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.assembly import build_bot, build_services
from bot.features import FEATURES
from bot.settings import Settings
from classroom.clock import Clock
from dialogs.feature import Feature
from dialogs.registry import FeatureRegistry
from tests.support.cards import card_actions
from tests.support.members import paged_members

LONDON = ZoneInfo("Europe/London")
PARTICIPANT_AAD = "00000000-0000-0000-0000-0000000000020"
BOT = ChannelAccount(id="28:bot-app-id", name="Classroom")
TENANT_ID = "00000000-0000-0000-0000-0000000000001"


def default_settings(**values: Any) -> Settings:
    """The bot's defaults (Europe/London, http://127.0.0.1:3978 for links), whatever this machine's environment."""
    return Settings.model_construct(**values)


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
        settings: Settings | None = None,
        features: Sequence[Feature] = FEATURES,
        members: list[dict[str, Any]] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.services = build_services(settings or default_settings(), session_factory, clock)
        self.pipeline = build_bot(self.services, session_factory, FeatureRegistry(features))
        self.adapter = TestAdapter(self.pipeline.bot.on_turn)
        # Teams' member list of this conversation (tests/support/members.teams_member), or None: Teams fails.
        self.members = members
        self.adapter.use(_MemberListConnector(self))
        self.pipeline.install(self.adapter)
        self.user = ChannelAccount(id="29:user", name=name, aad_object_id=aad_object_id)
        self.conversation = ConversationAccount(
            id=conversation_id, conversation_type=conversation_type, is_group=conversation_type != "personal"
        )

    def as_someone_else(self, aad_object_id: str, name: str, conversation_id: str | None = None) -> Conversation:
        """Another person, with the same database and clock, in their own 1:1 chat."""
        return Conversation(
            self.session_factory,
            self.services.clock,
            aad_object_id=aad_object_id,
            name=name,
            conversation_id=conversation_id or f"conv-{aad_object_id}",
        )

    async def _turn(self, activity: Activity) -> list[Activity]:
        activity.from_property = self.user
        activity.recipient = BOT
        activity.conversation = self.conversation
        activity.channel_id = "msteams"
        if activity.channel_data is None:  # Teams always sends channelData, with the tenant at least
            activity.channel_data = {"tenant": {"id": TENANT_ID}}
        if activity.id is None:  # Teams gives every activity an id of its own; TestAdapter counts from 0 for each
            activity.id = str(uuid.uuid4())  # harness, which a new one on the same database would claim as taken
        before = len(self.adapter.activity_buffer)
        await self.adapter.receive_activity(activity)
        replies = list(self.adapter.activity_buffer[before:])
        self.adapter.activity_buffer = self.adapter.activity_buffer[:before]
        return replies

    async def say(self, text: str, *, entities: list[dict[str, Any]] | None = None) -> list[Activity]:
        """Send ``text``; ``entities`` as Teams sends them beside it (mentions: see :func:`mention`)."""
        activity = Activity(type=ActivityTypes.message, text=text)
        if entities is not None:
            activity.entities = [Entity().deserialize(entity) for entity in entities]
        return await self._turn(activity)

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
        sent = await self._turn(activity)
        answers = [a for a in sent if a.type == ActivityTypes.invoke_response]
        assert len(answers) == 1, "the invoke got no answer"
        return answers[0].value, [a for a in sent if a.type != ActivityTypes.invoke_response]

    async def tap(
        self, message: Activity, title: str, *, inputs: dict[str, Any] | None = None, fallback: bool = False
    ) -> tuple[InvokeResponse | None, list[Activity]]:
        """Press the button ``title`` on the card the bot sent in ``message``, as Teams would: an ``Action.Execute``
        as an invoke (returns its answer and anything else the turn sent), an ``Action.Submit`` (or, with
        ``fallback``, the Submit an Execute falls back to in clients without Universal Actions) as a message
        (returns None and what the bot sent). ``inputs``: what the person filled in on the card."""
        action = card_button(card_of(message), title)
        if fallback and action["type"] == "Action.Execute":
            action = action["fallback"]
        data = {**action.get("data", {}), **(inputs or {})}
        if action["type"] == "Action.Execute":
            return await self.execute(action["verb"], data)
        assert action["type"] == "Action.Submit", action
        return None, await self.submit(data)

    async def install(self) -> list[Activity]:
        """The app installed in this conversation (``installationUpdate`` add, as Teams sends it)."""
        return await self._turn(Activity(type=ActivityTypes.installation_update, action="add"))

    @property
    def updated_activities(self) -> list[Activity]:
        """Messages the bot replaced (``update_activity``) during this conversation's turns."""
        return self.adapter.updated_activities


class _MemberListConnector(Middleware):
    """What ``TeamsInfo`` finds as the turn's connector client: the conversation's member list, in pages shaped
    as Microsoft documents them; an error when the test gave no list."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversations = self
        self._conversation = conversation

    async def on_turn(self, context: TurnContext, logic: Callable[..., Awaitable[Any]]) -> None:
        context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY] = self
        await logic()

    async def get_teams_conversation_paged_members(
        self, conversation_id: str, page_size: int | None = None, continuation_token: str | None = None
    ) -> TeamsPagedMembersResult:
        members = self._conversation.members
        if members is None:
            raise LookupError("404 ConversationNotFound")  # as the connector client raises it, more or less
        return TeamsPagedMembersResult().deserialize(paged_members(members, page_size, continuation_token))

    async def get_conversation_member(self, conversation_id: str, member_id: str) -> TeamsChannelAccount:
        """``GET /v3/conversations/{id}/members/{memberId}``: one member of the test's list, else a 404."""
        for member in self._conversation.members or []:
            if member["id"] == member_id:
                return TeamsChannelAccount().deserialize(member)
        raise LookupError("404 MemberNotFoundInConversation")


def mention(user_id: str, name: str, aad_object_id: str | None = None) -> dict[str, Any]:
    """A mention entity as Teams sends it beside ``<at>name</at>`` in the text (with no Entra id, as Teams does)."""
    mentioned: dict[str, Any] = {"id": user_id, "name": name}
    if aad_object_id is not None:
        mentioned["aadObjectId"] = aad_object_id
    return {"type": "mention", "mentioned": mentioned, "text": f"<at>{name}</at>"}


def card_of(activity: Activity) -> dict[str, Any]:
    assert activity.attachments, f"expected a card, got text: {activity.text!r}"
    attachment = activity.attachments[0]
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    return attachment.content


def card_button(card: dict[str, Any], title: str) -> dict[str, Any]:
    matching = [action for action in card_actions(card) if action.get("title") == title]
    assert matching, f"no button {title!r}; the card has {[a.get('title') for a in card_actions(card)]}"
    return matching[0]


def button_titles(activity: Activity) -> list[str]:
    """The titles of the buttons a person sees on the card in ``activity``."""
    return [action["title"] for action in card_actions(card_of(activity))]


def card_text(activity: Activity) -> str:
    return card_of(activity)["fallbackText"]


def texts(activities: Iterable[Activity]) -> str:
    return "\n".join(a.text or card_text(a) for a in activities)
