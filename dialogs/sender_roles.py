"""The roles of whoever sent this turn's activity, read once per turn.

The turn preload (``bot/turn_preload.py``) reads them with the dialog state in one database session and
keeps them on the turn; flows that run without it (a proactive turn, a test) read them here on demand.
"""

from __future__ import annotations

from botbuilder.core import TurnContext

from classroom.people import roles_of
from dialogs.services import BotServices
from storage.models import Role

_TURN_KEY = "classroom.sender_roles"


def sender_aad_object_id(turn_context: TurnContext) -> str | None:
    sender = turn_context.activity.from_property
    return sender.aad_object_id if sender else None


def keep_sender_roles(turn_context: TurnContext, roles: frozenset[Role]) -> None:
    turn_context.turn_state[_TURN_KEY] = roles


async def sender_roles(turn_context: TurnContext, services: BotServices) -> frozenset[Role]:
    roles = turn_context.turn_state.get(_TURN_KEY)
    if roles is None:
        async with services.session_factory() as session:
            roles = await roles_of(session, sender_aad_object_id(turn_context))
        keep_sender_roles(turn_context, roles)
    return roles
