"""Writing to the bot in a 1:1 chat it does not know (Teams' install event never reached it) stores the chat and
makes what waited for the person due; a chat it knows costs the message turn nothing more."""

from __future__ import annotations

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.personal_chats import RememberPersonalChats
from classroom.conversations import ConversationInfo
from storage.models import ConversationRecord, NotificationStatus, OutboxNotification, Person
from tests.bot.test_turn_preload import PARTICIPANT_AAD, database_use, sqlite_only
from tests.support.notices import mark, queue_text

CHAT = "af809acf-bc6c-4d54-a71a-1a997795c42c"  # the 1:1 chat of personal-message.json


async def _chat(session_factory: async_sessionmaker[AsyncSession]) -> ConversationRecord | None:
    async with session_factory() as session:
        return await session.scalar(select(ConversationRecord).where(ConversationRecord.conversation_id == CHAT))


async def _status(session_factory: async_sessionmaker[AsyncSession], key: str) -> NotificationStatus:
    async with session_factory() as session:
        row = await session.scalar(select(OutboxNotification).where(OutboxNotification.dedupe_key == key))
        assert row is not None
        return row.status


async def test_a_message_in_a_chat_the_bot_never_stored_sends_what_waited_for_the_person(
    quiet_client, activity, connector, session_factory
) -> None:
    async with session_factory.begin() as session:
        await queue_text(session, "Your place is confirmed", recipient=PARTICIPANT_AAD)
        await mark(session, "Your place is confirmed", NotificationStatus.UNDELIVERABLE, "HTTP 403 ...")
        await queue_text(session, "For someone else", recipient="aad-someone-else")
        await mark(session, "For someone else", NotificationStatus.UNDELIVERABLE, "HTTP 403 ...")

    await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))

    chat = await _chat(session_factory)
    assert chat is not None
    assert (chat.conversation_type, chat.user_aad_object_id, chat.installed) == ("personal", PARTICIPANT_AAD, True)
    assert chat.service_url == connector.url and chat.reference["conversation"]["id"] == CHAT
    assert await _status(session_factory, "Your place is confirmed") is NotificationStatus.PENDING
    assert await _status(session_factory, "For someone else") is NotificationStatus.UNDELIVERABLE
    async with session_factory() as session:
        assert await session.scalar(select(Person.name).where(Person.aad_object_id == PARTICIPANT_AAD)) == "Alex Wilber"


async def test_a_chat_the_bot_thought_it_was_removed_from_is_stored_again(
    quiet_client, activity, session_factory
) -> None:
    await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    async with session_factory.begin() as session:  # a 403 from Teams once made the dispatcher forget it
        await session.execute(
            update(ConversationRecord).where(ConversationRecord.conversation_id == CHAT).values(installed=False)
        )
    await quiet_client.post("/api/messages", json=activity("personal-message", text="help", serviceUrl="http://moved"))
    chat = await _chat(session_factory)
    assert chat is not None and (chat.installed, chat.service_url) == (True, "http://moved")


@sqlite_only
async def test_a_known_chat_costs_the_message_turn_no_statement(quiet_client, activity) -> None:
    with database_use(quiet_client) as first:
        await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    with database_use(quiet_client) as second:
        await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    assert any("conversations" in statement for checkout in first for statement in checkout)
    assert not any("conversations" in statement for checkout in second for statement in checkout)
    assert len(second) == 1


def _message_in_a_chat() -> TurnContext:
    activity = Activity(
        type=ActivityTypes.message,
        text="help",
        channel_id="msteams",
        service_url="http://connector",
        from_property=ChannelAccount(id="29:user", aad_object_id=PARTICIPANT_AAD),
        conversation=ConversationAccount(id="conv-1", conversation_type="personal"),
        recipient=ChannelAccount(id="28:bot"),
    )
    return TurnContext(TestAdapter(), activity)


class _Spy:
    """Stands in for ``ConversationService``: records the chats it is asked about, fails when told to."""

    def __init__(self) -> None:
        self.asked: list[ConversationInfo] = []
        self.failing = False

    async def written_to_in(self, info: ConversationInfo, *, by: str, by_name: str = "") -> bool:
        self.asked.append(info)
        if self.failing:
            raise ConnectionError("database unreachable")
        return True


async def test_a_chat_is_checked_again_after_a_while_and_after_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    spy, clock = _Spy(), [0.0]
    memo = RememberPersonalChats(spy, recheck=900, monotonic=lambda: clock[0])  # type: ignore[arg-type]
    answered: list[str] = []

    async def turn() -> None:
        async def logic() -> None:
            answered.append("answered")

        await memo.on_turn(_message_in_a_chat(), logic)

    spy.failing = True
    await turn()  # the person is answered all the same, and the failure is logged
    assert "could not remember the 1:1 chat conv-1" in caplog.text
    spy.failing = False
    await turn()
    clock[0] = 899.0
    await turn()
    clock[0] = 1799.0
    await turn()
    assert len(answered) == 4
    assert [info.conversation_id for info in spy.asked] == ["conv-1", "conv-1", "conv-1"]
