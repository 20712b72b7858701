"""A message turn reads its dialog state and the sender's roles in one session and writes no empty state."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot.app import RUNTIME
from bot.assembly import turn_error_handler
from bot.turn_preload import ConversationDialogState, TurnPreload
from classroom.people import PeopleService, assign_roles
from classroom.receipts import ActivityReceipts
from dialogs.sender import sender_roles
from storage.models import ActivityReceipt, Role
from storage.models.bot_state import BotStateRecord
from storage.state_storage import SqlAlchemyStorage
from tests.support.catalogue import load_demo_catalogue

PARTICIPANT_AAD = "00000000-0000-0000-0000-0000000000020"  # the sender in personal-message.json

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the SQLite case of db_url


@contextmanager
def database_use(client: TestClient) -> Iterator[list[list[str]]]:
    """The app's SQL statements while inside, grouped by pooled connection checkout."""
    engine = client.server.app[RUNTIME].engine.sync_engine
    checkouts: list[list[str]] = []

    def on_checkout(*_: Any) -> None:
        checkouts.append([])

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        checkouts[-1].append(statement)

    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield checkouts
    finally:
        event.remove(engine, "checkout", on_checkout)
        event.remove(engine, "before_cursor_execute", on_statement)


async def _stored_states(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(BotStateRecord))


def _card_text(body: dict) -> str:
    return body["attachments"][0]["content"]["fallbackText"]


async def _first_message(client: TestClient, activity) -> None:  # type: ignore[no-untyped-def]
    """The chat's first message here also stores the chat (``bot/personal_chats.py``); the turns after it are the
    hot path these tests measure."""
    await client.post("/api/messages", json=activity("personal-message", text="hello"))


@sqlite_only
async def test_help_reads_once_and_writes_no_state(quiet_client, activity, connector, session_factory) -> None:
    """``help`` with no dialog in progress: one checkout holding the activity's claim (one INSERT) and the state and
    roles SELECTs, no bot_state write."""
    await _first_message(quiet_client, activity)
    with database_use(quiet_client) as checkouts:
        response = await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    assert response.status in (200, 201) and "help" in _card_text(connector.bodies()[-1]).lower()
    [statements] = checkouts
    assert statements[0].lstrip().startswith("INSERT INTO activity_receipts")
    assert any("FROM bot_state" in s for s in statements) and any("FROM person_roles" in s for s in statements)
    assert not any("bot_state" in s and not s.lstrip().upper().startswith("SELECT") for s in statements)
    assert await _stored_states(session_factory) == 0


@sqlite_only
async def test_a_coordinator_sees_coordinator_commands_from_the_preloaded_roles(
    quiet_client, activity, connector, session_factory
) -> None:
    """Roles read by the preload decide ``help``: coordinator commands show, with no second database session."""
    async with session_factory.begin() as session:
        await assign_roles(session, PARTICIPANT_AAD, [Role.COORDINATOR], "Alex Wilber")
    await _first_message(quiet_client, activity)
    with database_use(quiet_client) as checkouts:
        await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    text = _card_text(connector.bodies()[-1])
    assert "enquiries" in text and "outbox" in text
    assert len(checkouts) == 1


def _turn_context() -> TurnContext:
    activity = Activity(
        type=ActivityTypes.message,
        text="help",
        channel_id="msteams",
        from_property=ChannelAccount(id="29:user", aad_object_id=PARTICIPANT_AAD),
        conversation=ConversationAccount(id="conv-1", conversation_type="personal"),
        recipient=ChannelAccount(id="28:bot"),
    )
    return TurnContext(TestAdapter(), activity)


async def test_an_untouched_empty_state_is_not_written(session_factory) -> None:
    """Loading a conversation's state that was never stored, then saving it, writes nothing."""
    state = ConversationDialogState(SqlAlchemyStorage(session_factory))
    context = _turn_context()
    await state.load(context)
    state.create_property("DialogState")  # accessors made, nothing set
    await state.save_changes(context)
    assert await _stored_states(session_factory) == 0


async def test_a_dialog_in_progress_round_trips(client, activity, connector, session_factory, clock) -> None:
    """``find`` stores its question; the next turn's preload reads it back and the answer completes the search."""
    await load_demo_catalogue(session_factory, clock)
    await client.post("/api/messages", json=activity("personal-message", text="find"))
    assert "What are you looking for?" in connector.bodies()[-1]["text"]
    assert await _stored_states(session_factory) == 1
    await client.post("/api/messages", json=activity("personal-message", text="court"))
    listing = _card_text(connector.bodies()[-1])
    assert "Search results" in listing and "PERM4" in listing


async def test_a_turn_that_failed_before_loading_its_state_is_still_apologised_for(session_factory, caplog) -> None:
    """The error handler forgets the dialog state; a turn can fail before the state was ever loaded."""
    dialog_state = ConversationDialogState(SqlAlchemyStorage(session_factory))
    adapter = TestAdapter()
    context = TurnContext(
        adapter,
        Activity(
            type=ActivityTypes.message,
            channel_id="msteams",
            conversation=ConversationAccount(id="conv-1"),
            from_property=ChannelAccount(id="29:user"),
            recipient=ChannelAccount(id="28:bot"),
        ),
    )
    await turn_error_handler(dialog_state)(context, RuntimeError("failed early"))
    assert "something went wrong" in adapter.activity_buffer[-1].text
    assert not [r for r in caplog.records if "could not apologise" in r.getMessage()]


async def test_messages_arriving_together_share_their_first_transaction(session_factory, clock) -> None:
    """Each message is claimed and read with its own state and roles, in one transaction for all that arrive at once;
    a redelivery among them is recognised there too."""
    async with session_factory.begin() as session:
        await assign_roles(session, "aad-trainer", [Role.TRAINER], "Megan Bowen")
    receipts = ActivityReceipts(session_factory, clock)
    preload = TurnPreload(session_factory, ConversationDialogState(SqlAlchemyStorage(session_factory)), receipts, clock)
    seen: dict[str, frozenset[Role]] = {}

    def message(n: int, activity_id: str) -> TurnContext:
        activity = Activity(
            type=ActivityTypes.message,
            id=activity_id,
            text="help",
            channel_id="msteams",
            service_url="https://smba.example/",
            conversation=ConversationAccount(id=f"a:chat-{n}", conversation_type="personal"),
            from_property=ChannelAccount(id=f"29:user-{n}", aad_object_id="aad-trainer" if n == 0 else f"aad-{n}"),
            recipient=ChannelAccount(id="28:bot"),
        )
        return TurnContext(TestAdapter(), activity)

    async def turn(context: TurnContext) -> None:
        async def logic() -> None:
            seen[context.activity.id] = await sender_roles(context, PeopleService(session_factory))

        await preload.on_turn(context, logic)

    contexts = [message(n, f"activity-{n}") for n in range(6)] + [message(1, "activity-1")]  # the last: a redelivery
    await asyncio.gather(*(turn(context) for context in contexts))
    assert preload.transactions == 1
    assert sorted(seen) == [f"activity-{n}" for n in range(6)] and preload.already_taken == 1
    assert seen["activity-0"] == {Role.TRAINER} and seen["activity-3"] == {Role.PARTICIPANT}
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ActivityReceipt)) == 6


async def test_a_messages_first_transaction_opens_no_orm_session(session_factory, clock) -> None:
    """The claim and the first read run on a pooled connection (``in_transaction_on``): an ORM session's transaction
    and its bookkeeping cost more than their statements."""
    preload = TurnPreload(
        session_factory,
        ConversationDialogState(SqlAlchemyStorage(session_factory)),
        ActivityReceipts(session_factory, clock),
        clock,
    )
    context = _turn_context()
    context.activity.id = "activity-1"
    sessions: list[object] = []

    def on_begin(session: Session, *_: Any) -> None:
        sessions.append(session)

    roles: list[frozenset[Role]] = []

    async def logic() -> None:  # the roles were read with the claim: asking for them opens no session either
        roles.append(await sender_roles(context, PeopleService(session_factory)))

    event.listen(Session, "after_begin", on_begin)
    try:
        await preload.on_turn(context, logic)
    finally:
        event.remove(Session, "after_begin", on_begin)
    assert roles == [frozenset({Role.PARTICIPANT})] and sessions == [] and preload.transactions == 1
    async with session_factory() as session:
        assert await session.scalar(select(ActivityReceipt.key)) is not None  # claimed, and committed


def _arriving(kind: str) -> Activity:
    """A message, or an answer button's press (an Action.Execute answer), from one personal chat."""
    common = {
        "id": f"{kind}-1",
        "channel_id": "msteams",
        "conversation": ConversationAccount(id="a:1"),
        "from_property": ChannelAccount(id="29:user"),
        "recipient": ChannelAccount(id="28:bot"),
    }
    if kind == "message":
        return Activity(type=ActivityTypes.message, text="hello", **common)
    action = {"type": "Action.Execute", "verb": "answer", "data": {"args": "confirm", "question": "q"}}
    return Activity(type=ActivityTypes.invoke, name="adaptiveCard/action", value={"action": action}, **common)


@pytest.mark.parametrize("kind", ["message", "press"])
async def test_a_turn_whose_state_cannot_be_read_gives_its_claim_up(session_factory, clock, kind: str) -> None:
    """The state is read with the claim, before the turn runs: a failure there must release the claim as a failure
    of the turn does, so Teams' redelivery runs rather than being told it was received already."""
    storage = SqlAlchemyStorage(session_factory)
    receipts = ActivityReceipts(session_factory, clock)
    dialog_state = ConversationDialogState(storage)
    key = dialog_state.get_storage_key(TurnContext(TestAdapter(), _arriving(kind)))
    await storage.write({key: {}}, documents={key: '{"DialogState": '})  # a state this code cannot read
    ran: list[str] = []

    async def logic() -> None:
        ran.append("ran")

    preload = TurnPreload(session_factory, dialog_state, receipts, clock)
    with pytest.raises(ValueError):
        await preload.on_turn(TurnContext(TestAdapter(), _arriving(kind)), logic)
    await storage.write({key: {}})  # the state mended; Teams redelivers
    await preload.on_turn(TurnContext(TestAdapter(), _arriving(kind)), logic)
    assert ran == ["ran"]
    assert preload.already_taken == 0
