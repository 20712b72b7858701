"""Where the bot is installed: remember each conversation (proactive messages need its reference), greet on
install, and never write again where it was removed."""

from __future__ import annotations

from dialogs.cards.messages import card_activity
from dialogs.conversation_reference import conversation_info
from dialogs.feature import EventRequest
from dialogs.welcome.card import build_welcome_card


async def remember(request: EventRequest) -> None:
    info = conversation_info(request.turn_context.activity)
    await request.services.conversations.installed(info, by=request.sender_id, by_name=request.sender_name)


async def welcome(request: EventRequest) -> None:
    """Remember the conversation, then greet whoever installed the app with what they can do here."""
    await remember(request)
    name = request.sender_name
    if not name and request.sender_id:  # installationUpdate carries no name; we may know it
        name = await request.services.people.name_of(request.sender_id)
    await request.turn_context.send_activity(card_activity(build_welcome_card(name, request.roles, request.scope)))


async def forget(request: EventRequest) -> None:
    await request.services.conversations.removed(conversation_info(request.turn_context.activity).conversation_id)
