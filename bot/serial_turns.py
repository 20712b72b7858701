"""One turn at a time per person and conversation, so a quick answer never overtakes the saved question.

A dialog's state is saved at the end of a turn, after its replies went out. Someone who answers a prompt
the instant it appears (or a script, or Teams redelivering) would otherwise start the next turn before the
previous one saved, and the answer would be read as a new command. Turns of different conversations still
run concurrently. Several bot processes are covered by the e-tag check of the state storage instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import Middleware, TurnContext


class SerialTurnsMiddleware(Middleware):
    def __init__(self) -> None:
        # Only keys with a turn running or waiting are held, so the map does not grow with conversations.
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @staticmethod
    def _key(turn_context: TurnContext) -> str:
        activity = turn_context.activity
        conversation = activity.conversation.id if activity.conversation else ""
        sender = activity.from_property.id if activity.from_property else ""
        return f"{conversation}|{sender}"

    # botbuilder annotates ``logic`` as taking the context, but calls it with none.
    async def on_turn(self, context: TurnContext, logic: Callable[..., Awaitable[Any]]) -> None:
        key = self._key(context)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await logic()
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @property
    def active_conversations(self) -> int:
        return len(self._locks)
