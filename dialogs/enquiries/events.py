"""Someone joined the coordinators' channel, team or chat: enquirers' details must stop going there unless every
newcomer is a coordinator (checked when the conversation was chosen, and again each time people join)."""

from __future__ import annotations

from dialogs.cards.formatting import plural
from dialogs.conversation_reference import conversation_info
from dialogs.feature import EventRequest
from dialogs.members import joined_members


async def members_joined(request: EventRequest) -> None:
    joined = joined_members(request.turn_context)
    if not joined:
        return
    info = conversation_info(request.turn_context.activity)
    outsiders = await request.services.enquiries.members_joined(info.conversation_id, info.team_id, joined)
    if outsiders:
        await request.turn_context.send_activity(
            f"{plural(outsiders, 'person', 'people')} without the coordinator role joined, so enquirers' names, emails "
            "and messages are no longer posted here: each coordinator gets them in their one-to-one chat with me. "
            "Once only coordinators are members, a coordinator can type **coordinators here** again."
        )
