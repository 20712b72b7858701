"""One short transaction at the start of each turn: the activity's claim, and what nearly every message needs.

Every activity is first claimed in the database (``classroom/receipts.py``), so that Teams redelivering it, to
this process after a restart or to another one, does not run it again: a redelivery ends here, answered with
nothing more (an invoke with a short message), since the first delivery answered the person. A claim whose turn
raised is given up, so a redelivery runs it.

A message also reads the conversation's dialog state (is a question in progress?), the sender's roles (what may
they do?) and, in a 1:1 chat, how the database knows that chat (``bot/personal_chats.py``). Read separately, each
cost a session, a pooled connection and a statement's whole overhead; here they are one statement after the claim,
in one transaction on a pooled connection, no ORM session (``classroom.transactions.in_transaction_on``), that
messages arriving at the same moment share (``storage/shared_transactions.py``). A question's answer button (an
``Action.Execute`` invoke) reads its dialog state with its claim the same way. Other activities load what they need
when they need it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from botbuilder.core import Middleware, PrivateConversationState, TurnContext
from botbuilder.core.bot_state import CachedBotState
from botbuilder.schema import Activity, ActivityTypes
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import BindParameter

from bot.personal_chats import note_personal_chat, personal_chat_to_read
from classroom.clock import Clock
from classroom.conversations import stored_chat_columns, stored_chat_from, worth_keeping_column
from classroom.outbox import waiting_since
from classroom.people import roles_from, stored_roles
from classroom.receipts import ActivityReceipts, receipt_key
from classroom.transactions import in_transaction_on
from dialogs.answer_prompt import is_answer_press
from dialogs.card_actions import ALREADY_RECEIVED, TURN_RECEIPT, message_answer
from dialogs.sender import keep_sender_roles, sender_aad_object_id
from storage.base import UtcDateTime
from storage.direct_statements import DirectStatement
from storage.shared_transactions import SharedTransactions
from storage.state_storage import SqlAlchemyStorage, checked_key, document_of, restored, stored_columns

log = logging.getLogger(__name__)


class ConversationDialogState(PrivateConversationState):
    """Each person's dialog state in a conversation, loaded at most once per turn, and compared by its document.

    botbuilder's ``BotState.load`` reads the storage again whenever the cached state is *empty*, that is on
    every property access in a conversation with no question in progress; here a loaded state, empty or
    not, is kept for the rest of the turn (``force=True`` still re-reads).

    botbuilder tells a changed state by walking it with jsonpickle when it is loaded, again at the end of the turn,
    again to write it and once more after: four walks of a dialog stack for a turn that changes it. Here the
    state's fingerprint is the document the storage keeps (:func:`~storage.state_storage.document_of`): the one
    read is the fingerprint on load, and at the end one walk gives the document to compare and, if it changed,
    to write.
    """

    def __init__(self, storage: SqlAlchemyStorage) -> None:
        super().__init__(storage)
        self.storage = storage

    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        if force or self.get_cached_state(turn_context) is None:
            key = self.get_storage_key(turn_context)
            # With the document read, which is its fingerprint: working it out again would walk the whole state.
            item, document = (await self.storage.read_documented([key])).get(key, (None, None))
            self.use_loaded(turn_context, item, document)

    async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None:
        cached = self.get_cached_state(turn_context)
        if cached is None:
            return
        document = document_of(cached.state)
        if force or document != cached.hash:
            key = self.get_storage_key(turn_context)
            await self.storage.write({key: cached.state}, documents={key: document})
            cached.hash = document

    async def delete(self, turn_context: TurnContext) -> None:
        """Forget the stored state, loaded this turn or not (botbuilder's ``delete`` fails on state never loaded,
        which is where the turn error handler calls it after a turn that failed early)."""
        turn_context.turn_state.pop(self._context_service_key, None)
        await self.storage.delete([self.get_storage_key(turn_context)])

    def use_loaded(self, turn_context: TurnContext, item: dict[str, Any] | None, document: str | None = None) -> None:
        """Take ``item`` (as the storage read it; None when nothing is stored) as this turn's state; ``document``:
        the document it was restored from, where the caller has it.

        Nothing stored counts as ``{}`` from the start: botbuilder hashes None, so an untouched empty state
        would look changed and be written at the end of every turn.
        """
        turn_context.turn_state[self._context_service_key] = _StoredState(item if item is not None else {}, document)


class _StoredState(CachedBotState):
    """A turn's state whose fingerprint (``hash``) is its stored document (``ConversationDialogState``)."""

    def __init__(self, state: dict[str, Any], document: str | None) -> None:
        self.state = state
        self.hash = document if document is not None else document_of(state)

    def compute_hash(self, obj: object) -> str:
        return document_of(obj)


_STATE_KEY: BindParameter[str] = bindparam("state_key")
_SENDER: BindParameter[str] = bindparam("sender")
_CHAT: BindParameter[str] = bindparam("chat")
_NOW = bindparam("now", type_=UtcDateTime())
# Built once. What nearly every message needs, in one statement of one row: each piece read on its own cost a
# statement's whole overhead (on PostgreSQL a round trip) for a look-up by key that costs the database almost nothing.
_MESSAGE_NEEDS = DirectStatement(
    select(
        *stored_columns(_STATE_KEY),
        stored_roles(_SENDER),
        *stored_chat_columns(_CHAT),
        worth_keeping_column(_CHAT, _SENDER, _NOW),
    )
)
# What a question's answer button (an ``Action.Execute`` invoke, ``dialogs.answer_prompt``) needs: the dialog state.
_ANSWER_NEEDS = DirectStatement(select(*stored_columns(_STATE_KEY)))


class TurnPreload(Middleware):
    """Claims the activity, and for a message loads its dialog state and the sender's roles, in one transaction. Runs
    after the per-conversation turn lock (``SerialTurnsMiddleware``), so the state read is the one the previous turn
    saved."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        dialog_state: ConversationDialogState,
        receipts: ActivityReceipts,
        clock: Clock,
        claimed_by_handler: Callable[[Activity], bool] | None = None,
    ):
        """``claimed_by_handler``: activities other than messages whose handler claims the activity in its own
        transaction (a poll vote, an install: ``FeatureRegistry.claims_own_receipt``); their key is left in the turn
        state (``TURN_RECEIPT``)."""
        self._claimed_by_handler = claimed_by_handler
        self._session_factory = session_factory
        self._dialog_state = dialog_state
        self._receipts = receipts
        self._clock = clock
        # Activities arriving together share their claim's transaction (a message's first read too).
        self._shared = SharedTransactions(partial(in_transaction_on, session_factory))
        self.already_taken = 0  # redeliveries this process recognised from their claim

    # botbuilder annotates ``logic`` as taking the context, but calls it with none.
    async def on_turn(self, context: TurnContext, logic: Callable[..., Awaitable[Any]]) -> None:
        activity = context.activity
        receipt = _receipt(context)
        if activity.type == ActivityTypes.message:
            claimed = await self._claim_and_read(context, receipt)
        elif is_answer_press(context):
            claimed = await self._claim_and_read_state(context, receipt)
        elif receipt is not None and self._claimed_by_handler is not None and self._claimed_by_handler(activity):
            context.turn_state[TURN_RECEIPT] = receipt  # the handler claims it, in the transaction of its work
            claimed = True
        else:
            claimed = receipt is None or await self._shared.run(
                partial(self._claim, receipt), abandoned=partial(self._give_up, receipt)
            )
        if not claimed:
            await self._taken_before(context)
            return
        async with self._released_on_failure(receipt):
            await logic()

    @asynccontextmanager
    async def _released_on_failure(self, receipt: str | None) -> AsyncIterator[None]:
        """The work after a claim: should it fail, the claim is given up, so Teams' redelivery runs the turn rather
        than being told it was received already."""
        try:
            yield
        except Exception:
            if receipt is not None:
                await self._receipts.release(receipt)
            raise

    async def _give_up(self, receipt: str | None, claimed: object) -> None:
        """A turn cancelled while its claim committed never runs: give the claim up, so Teams' redelivery does."""
        if receipt is not None and claimed not in (None, False):
            await self._receipts.release(receipt)

    def _claim(self, receipt: str, connection: Connection) -> bool:
        return self._receipts.claim_on(connection, receipt)

    async def _claim_and_read(self, context: TurnContext, receipt: str | None) -> bool:
        """A message's claim and :data:`_MESSAGE_NEEDS`, in one transaction (shared with messages arriving at the
        same moment); returns whether it was claimed."""
        chat = personal_chat_to_read(context)
        parameters = {
            "state_key": checked_key(self._dialog_state.get_storage_key(context)),
            "sender": sender_aad_object_id(context) or "",
            "chat": chat or "",
            **waiting_since(_NOW, self._clock.now()),
        }

        def claim_and_read(connection: Connection) -> tuple[Any, ...] | None:
            # Synchronous, on the transaction's connection: one hand-over to the driver instead of one per call, and
            # no ORM session or statement handling, which cost more than these look-ups.
            if receipt is not None and not self._receipts.claim_on(connection, receipt):
                return None  # nothing claimed, nothing more to read: the turn ends here
            [read] = _MESSAGE_NEEDS.execute(connection, parameters).rows  # one row: a SELECT of columns alone
            return read

        read = await self._shared.run(claim_and_read, abandoned=partial(self._give_up, receipt))
        if read is None:
            return False
        document, e_tag, roles, installed, service_url, person, worth_keeping = read
        async with self._released_on_failure(receipt):  # a state that cannot be read, say
            self._dialog_state.use_loaded(context, restored(document, e_tag), document)
            keep_sender_roles(context, roles_from(roles))
            if chat is not None:
                note_personal_chat(context, stored_chat_from(installed, service_url, person), bool(worth_keeping))
        return True

    async def _claim_and_read_state(self, context: TurnContext, receipt: str | None) -> bool:
        """An answer button's claim and its dialog state (:data:`_ANSWER_NEEDS`), in one transaction; read after the
        claim, on its own, it cost a transaction and a pooled connection more. Returns whether it was claimed."""
        parameters = {"state_key": checked_key(self._dialog_state.get_storage_key(context))}

        def claim_and_read(connection: Connection) -> tuple[Any, ...] | None:
            if receipt is not None and not self._receipts.claim_on(connection, receipt):
                return None
            [read] = _ANSWER_NEEDS.execute(connection, parameters).rows
            return read

        read = await self._shared.run(claim_and_read, abandoned=partial(self._give_up, receipt))
        if read is None:
            return False
        document, e_tag = read
        async with self._released_on_failure(receipt):
            self._dialog_state.use_loaded(context, restored(document, e_tag), document)
        return True

    @property
    def transactions(self) -> int:
        """The transactions messages' claims and first reads took (fewer than the messages when they come together)."""
        return self._shared.transactions

    async def _taken_before(self, context: TurnContext) -> None:
        self.already_taken += 1
        log.info("activity %s was taken before (by this process before a restart, or another)", context.activity.id)
        if context.activity.type == ActivityTypes.invoke:
            answer = message_answer(ALREADY_RECEIVED)
            await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=answer))


def _receipt(context: TurnContext) -> str | None:
    """The claim key of the turn's activity; None for one without an id (nothing to recognise it by)."""
    activity = context.activity
    if not activity.id:
        return None
    conversation = activity.conversation.id if activity.conversation else ""
    return receipt_key(activity.channel_id or "", conversation or "", activity.id)
