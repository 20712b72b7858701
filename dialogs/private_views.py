"""Where coordinators' views may be shown: enquiries (people's names, emails and messages) and the outbox report
(who messages go to and why they failed) appear only in a one-to-one chat or in the coordinators' own chat,
never in a channel or group chat anyone else can read."""

from __future__ import annotations

from dialogs.conversation_reference import base_conversation_id
from dialogs.routing import PERSONAL, CommandRequest


async def private_here(request: CommandRequest) -> bool:
    """Whether a coordinators' view may be shown here: a one-to-one chat, or the coordinators' chat (whose
    members were all coordinators when it was chosen with ``coordinators here``)."""
    if request.scope == PERSONAL:
        return True
    here = base_conversation_id(request.turn_context.activity.conversation.id)
    shared = await request.services.enquiries.coordinators_chat()
    return shared is not None and shared.conversation_id == here


def not_here(what: str) -> str:
    """Why ``what`` is not shown here, and where it is."""
    return (
        f"{what} hold people's details, so I show them only in our one-to-one chat or in the coordinators' chat "
        "(chosen with **coordinators here**). Message me directly."
    )
