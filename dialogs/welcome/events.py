"""Where the bot is installed: remember each conversation (proactive messages need its reference), greet on
install, and never write again where it was removed."""

from __future__ import annotations

from classroom.people import Met
from classroom.receipts import AlreadyTaken
from dialogs.card_actions import turn_receipt
from dialogs.cards.messages import card_activity
from dialogs.conversation_reference import conversation_info
from dialogs.feature import EventRequest
from dialogs.sender import keep_sender_roles
from dialogs.welcome.card import build_welcome_card


async def _remember(request: EventRequest, receipt: str | None = None) -> Met | None:
    info = conversation_info(request.turn_context.activity)
    conversations = request.services.conversations
    return await conversations.installed(info, by=request.sender_id, by_name=request.sender_name, receipt=receipt)


async def remember(request: EventRequest) -> None:
    await _remember(request)


async def welcome(request: EventRequest) -> None:
    """Remember the conversation, then greet whoever installed the app with what they can do here.

    The install's activity is claimed in the transaction that remembers it (``Events.installed_claims_receipt``):
    a redelivery changes nothing and is not greeted twice."""
    try:
        met = await _remember(request, turn_receipt(request.turn_context))
    except AlreadyTaken:
        return
    if met is not None:  # who they are, as the install's own transaction left them: nothing more to read
        keep_sender_roles(request.turn_context, met.roles)
    # installationUpdate carries no name; we may know it
    name = request.sender_name or (met.name if met is not None else "")
    roles = await request.roles()
    await request.turn_context.send_activity(card_activity(build_welcome_card(name, roles, request.scope)))


async def forget(request: EventRequest) -> None:
    await request.services.conversations.removed(conversation_info(request.turn_context.activity).conversation_id)
