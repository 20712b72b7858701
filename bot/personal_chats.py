"""A person writing to the bot in their 1:1 chat makes that chat reachable, as installing the app does.

Teams tells the bot about a 1:1 chat when the person installs the app. When that event never reached the bot
(it was down, or its database was replaced), when the bot thought itself removed from the chat (a 403 from Teams,
perhaps a minute ago and in another process), or when Teams moved the chat to another service URL, the person's
next message stores the chat, and what waited for them goes at once (``ConversationService.written_to_in``). A
stranger's chat (nobody we know, nothing waiting for them: someone forgotten at their request, say) is not stored.

Message turns are the hot path, so the stored chat is read in the turn's first database session
(``TurnPreload`` reads it with what else a message needs, then calls :func:`note_personal_chat`): a chat known as
it is costs no statement and no session of its own. Nothing is remembered between turns: what the database says is
always what decides.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from classroom.conversations import ConversationService, StoredChat, known_as_it_is
from dialogs.conversation_reference import base_conversation_id, conversation_info
from dialogs.sender import sender_aad_object_id, sender_name

log = logging.getLogger(__name__)

_STORED_CHAT = "classroom.stored_personal_chat"  # turn_state key: the chat as the database knew it this turn


@dataclass(frozen=True)
class _Read:
    chat: StoredChat | None  # None: the database does not know the chat
    worth_keeping: bool = True  # for a chat it does not know: whether to store it (``worth_keeping``)


def _personal_message(activity: Activity) -> bool:
    return bool(
        activity.type == ActivityTypes.message
        and activity.service_url
        and activity.conversation is not None
        and (activity.conversation.conversation_type or "personal") == "personal"
    )


def personal_chat_to_read(context: TurnContext) -> str | None:
    """The 1:1 chat whose stored form the turn's first read should fetch for :func:`note_personal_chat` (None: the
    message is not a person's 1:1 message, so :class:`RememberPersonalChats` has nothing to compare)."""
    activity = context.activity
    if _personal_message(activity) and sender_aad_object_id(context):
        return base_conversation_id(activity.conversation.id)
    return None


def note_personal_chat(context: TurnContext, chat: StoredChat | None, worth_keeping: bool) -> None:
    """In the turn's first read: how the database knows this message's 1:1 chat (``chat``; ``worth_keeping``, see
    ``classroom.conversations.worth_keeping``), for :class:`RememberPersonalChats` to compare with the activity."""
    context.turn_state[_STORED_CHAT] = _Read(chat, chat is not None or worth_keeping)


class RememberPersonalChats(Middleware):
    def __init__(self, conversations: ConversationService) -> None:
        self._conversations = conversations

    # botbuilder annotates ``logic`` as taking the context, but calls it with none.
    async def on_turn(self, context: TurnContext, logic: Callable[..., Awaitable[Any]]) -> None:
        sender = sender_aad_object_id(context)
        if sender and _personal_message(context.activity):
            await self._check(context, sender)
        await logic()

    async def _check(self, context: TurnContext, sender: str) -> None:
        read = context.turn_state.get(_STORED_CHAT)  # absent: not read this turn, so ask the database now
        if isinstance(read, _Read) and (
            known_as_it_is(read.chat, context.activity.service_url, sender) or not read.worth_keeping
        ):
            return
        info = conversation_info(context.activity)
        try:
            stored = await self._conversations.written_to_in(info, by=sender, by_name=sender_name(context))
        except Exception:  # the person still gets their answer; their next message tries again
            log.exception("could not remember the 1:1 chat %s", info.conversation_id)
            return
        if stored:
            log.info("stored the 1:1 chat %s of %s from their message", info.conversation_id, sender)
