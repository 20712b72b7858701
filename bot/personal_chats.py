"""A person writing to the bot in their 1:1 chat makes that chat reachable, as installing the app does.

Teams tells the bot about a 1:1 chat when the person installs the app. When that event never reached the bot
(it was down, or its database was replaced), when the bot thought itself removed from the chat, or when Teams
moved the chat to another service URL, the person's next message stores the chat, and what waited for them goes
at once (``ConversationService.written_to_in``). Message turns are the hot path, so a process asks the database
about a chat only when it has not done so for ``recheck`` seconds: one read per chat, not one per turn. The
memory only spares that read; where messages go is always decided by the database.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import ActivityTypes

from classroom.conversations import ConversationService
from dialogs.conversation_reference import conversation_info
from dialogs.sender import sender_aad_object_id, sender_name

log = logging.getLogger(__name__)

RECHECK_SECONDS = 900.0
CAPACITY = 10_000  # chats remembered per process; the oldest checked is forgotten first


class RememberPersonalChats(Middleware):
    def __init__(
        self,
        conversations: ConversationService,
        *,
        recheck: float = RECHECK_SECONDS,
        capacity: int = CAPACITY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._conversations = conversations
        self._recheck = recheck
        self._capacity = capacity
        self._monotonic = monotonic
        self._checked: OrderedDict[tuple[str, str, str], float] = OrderedDict()  # chat -> when last checked

    # botbuilder annotates ``logic`` as taking the context, but calls it with none.
    async def on_turn(self, context: TurnContext, logic: Callable[..., Awaitable[Any]]) -> None:
        activity = context.activity
        sender = sender_aad_object_id(context)
        if (
            activity.type == ActivityTypes.message
            and sender
            and activity.service_url
            and activity.conversation is not None
            and (activity.conversation.conversation_type or "personal") == "personal"
        ):
            await self._check((activity.conversation.id, activity.service_url, sender), context)
        await logic()

    async def _check(self, chat: tuple[str, str, str], context: TurnContext) -> None:
        now = self._monotonic()
        checked = self._checked.get(chat)
        if checked is not None and now - checked < self._recheck:
            return
        try:
            stored = await self._conversations.written_to_in(
                conversation_info(context.activity), by=chat[2], by_name=sender_name(context)
            )
        except Exception:  # the person still gets their answer; their next message tries again
            log.exception("could not remember the 1:1 chat %s", chat[0])
            return
        if stored:
            log.info("stored the 1:1 chat %s of %s from their message", chat[0], chat[2])
        self._checked.pop(chat, None)
        self._checked[chat] = now
        while len(self._checked) > self._capacity:
            self._checked.popitem(last=False)
