"""One short database session at the start of a message turn for what nearly every message needs.

A message reads the conversation's dialog state (is a question in progress?) and the sender's roles (what
may they do?). Read separately, each costs a session, a pooled connection and, on SQLite, several hops to
the driver's thread; together they cost one. Other activities load what they need when they need it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import Middleware, PrivateConversationState, TurnContext
from botbuilder.core.bot_state import CachedBotState
from botbuilder.schema import ActivityTypes
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.people import roles_of
from dialogs.sender import keep_sender_roles, sender_aad_object_id
from storage.state_storage import SqlAlchemyStorage


class ConversationDialogState(PrivateConversationState):
    """Each person's dialog state in a conversation, loaded at most once per turn.

    botbuilder's ``BotState.load`` reads the storage again whenever the cached state is *empty*, that is on
    every property access in a conversation with no question in progress; here a loaded state, empty or
    not, is kept for the rest of the turn (``force=True`` still re-reads).
    """

    def __init__(self, storage: SqlAlchemyStorage) -> None:
        super().__init__(storage)
        self.storage = storage

    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        if force or self.get_cached_state(turn_context) is None:
            key = self.get_storage_key(turn_context)
            self.use_loaded(turn_context, (await self.storage.read([key])).get(key))

    async def delete(self, turn_context: TurnContext) -> None:
        """Forget the stored state, loaded this turn or not (botbuilder's ``delete`` fails on state never loaded,
        which is where the turn error handler calls it after a turn that failed early)."""
        turn_context.turn_state.pop(self._context_service_key, None)
        await self.storage.delete([self.get_storage_key(turn_context)])

    def use_loaded(self, turn_context: TurnContext, item: dict[str, Any] | None) -> None:
        """Take ``item`` (as the storage read it; None when nothing is stored) as this turn's state.

        Nothing stored counts as ``{}`` from the start: botbuilder hashes None, so an untouched empty state
        would look changed and be written at the end of every turn.
        """
        turn_context.turn_state[self._context_service_key] = CachedBotState(item if item is not None else {})


class TurnPreload(Middleware):
    """Loads a message turn's dialog state and the sender's roles in one session. Runs after the per-conversation
    turn lock (``SerialTurnsMiddleware``), so the state read is the one the previous turn saved."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], dialog_state: ConversationDialogState):
        self._session_factory = session_factory
        self._dialog_state = dialog_state

    # botbuilder annotates ``logic`` as taking the context, but calls it with none.
    async def on_turn(self, context: TurnContext, logic: Callable[..., Awaitable[Any]]) -> None:
        if context.activity.type == ActivityTypes.message:
            key = self._dialog_state.get_storage_key(context)
            async with self._session_factory() as session:
                items = await self._dialog_state.storage.read_in(session, [key])
                roles = await roles_of(session, sender_aad_object_id(context))
            self._dialog_state.use_loaded(context, items.get(key))
            keep_sender_roles(context, roles)
        await logic()
