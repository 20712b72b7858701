"""Who sent this turn's activity: their Entra object id, their display name, and their stored roles.

The roles are read once per turn: the turn preload (``bot/turn_preload.py``) reads them with the dialog state in
one database session and keeps them on the turn; turns without it (events, card actions) read them on demand.
"""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import TurnContext

from classroom.people import PeopleService
from dialogs.conversation_reference import base_conversation_id
from storage.models import Role

_TURN_KEY = "classroom.sender_roles"


def sender_aad_object_id(turn_context: TurnContext) -> str | None:
    """The sender's Entra object id, from the authenticated activity: what every decision about them is made on."""
    sender = turn_context.activity.from_property
    return sender.aad_object_id if sender else None


def sender_name(turn_context: TurnContext) -> str:
    """The sender's Teams display name (typed by someone: shown only as literal text)."""
    sender = turn_context.activity.from_property
    return (sender.name or "") if sender else ""


def keep_sender_roles(turn_context: TurnContext, roles: frozenset[Role]) -> None:
    turn_context.turn_state[_TURN_KEY] = roles


async def sender_roles(turn_context: TurnContext, people: PeopleService) -> frozenset[Role]:
    kept = turn_context.turn_state.get(_TURN_KEY)
    if isinstance(kept, frozenset):
        return kept
    roles = await people.roles_of(sender_aad_object_id(turn_context))
    keep_sender_roles(turn_context, roles)
    return roles


@dataclass(frozen=True)
class SentByPerson:
    """What every request of a turn knows of its sender (commands, card buttons, events)."""

    turn_context: TurnContext

    @property
    def sender_id(self) -> str | None:
        """From the authenticated activity, never from anything a card sends back."""
        return sender_aad_object_id(self.turn_context)

    @property
    def sender_name(self) -> str:
        return sender_name(self.turn_context)

    @property
    def where(self) -> str:
        """The conversation this came from, as the audit log records it (a channel, not its thread)."""
        conversation = self.turn_context.activity.conversation
        return base_conversation_id(conversation.id) if conversation and conversation.id else ""
