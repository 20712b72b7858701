"""The roles of whoever sent this turn's activity, read once per turn.

The turn preload (``bot/turn_preload.py``) reads them with the dialog state in one database session and
keeps them on the turn; turns without it (events, card actions) read them here on demand.
"""

from __future__ import annotations

from botbuilder.core import TurnContext

from classroom.people import PeopleService
from storage.models import Role

_TURN_KEY = "classroom.sender_roles"


def sender_aad_object_id(turn_context: TurnContext) -> str | None:
    sender = turn_context.activity.from_property
    return sender.aad_object_id if sender else None


def keep_sender_roles(turn_context: TurnContext, roles: frozenset[Role]) -> None:
    turn_context.turn_state[_TURN_KEY] = roles


async def sender_roles(turn_context: TurnContext, people: PeopleService) -> frozenset[Role]:
    kept = turn_context.turn_state.get(_TURN_KEY)
    if isinstance(kept, frozenset):
        return kept
    roles = await people.roles_of(sender_aad_object_id(turn_context))
    keep_sender_roles(turn_context, roles)
    return roles
