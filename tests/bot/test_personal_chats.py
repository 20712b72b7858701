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
from classroom.people import assign_roles
from storage.models import ConversationRecord, NotificationStatus, OutboxNotification, Person, Role
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


async def _known(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory.begin() as session:
        await assign_roles(session, PARTICIPANT_AAD, [Role.PARTICIPANT], "Alex Wilber")


async def test_a_chat_the_bot_thought_it_was_removed_from_is_stored_again(
    quiet_client, activity, session_factory
) -> None:
    await _known(session_factory)
    await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    async with session_factory.begin() as session:  # a 403 from Teams once made the dispatcher forget it
        await session.execute(
            update(ConversationRecord).where(ConversationRecord.conversation_id == CHAT).values(installed=False)
        )
    await quiet_client.post("/api/messages", json=activity("personal-message", text="help", serviceUrl="http://moved"))
    chat = await _chat(session_factory)
    assert chat is not None and (chat.installed, chat.service_url) == (True, "http://moved")


async def test_a_chat_marked_removed_a_moment_ago_is_reachable_again_from_the_next_message(
    quiet_client, activity, session_factory
) -> None:
    """Nothing remembered in the process outranks the database: a 403 seen by any process since the person's last
    message (same chat, same service URL) is undone by their next one, and what waited for them goes at once."""
    await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    async with session_factory.begin() as session:
        await session.execute(
            update(ConversationRecord).where(ConversationRecord.conversation_id == CHAT).values(installed=False)
        )
        await queue_text(session, "Your place is confirmed", recipient=PARTICIPANT_AAD)
        await mark(session, "Your place is confirmed", NotificationStatus.UNDELIVERABLE, "HTTP 403 ...")

    await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))

    chat = await _chat(session_factory)
    assert chat is not None and chat.installed
    assert await _status(session_factory, "Your place is confirmed") is NotificationStatus.PENDING


@sqlite_only
async def test_a_known_chat_is_read_in_the_turns_one_session_and_never_written(
    quiet_client, activity, session_factory
) -> None:
    await _known(session_factory)
    with database_use(quiet_client) as first:
        await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    with database_use(quiet_client) as second:
        await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    assert any("INSERT INTO conversations" in statement for checkout in first for statement in checkout)
    assert len(second) == 1
    assert any("FROM conversations" in statement for statement in second[0])
    assert not any(
        word in statement and "conversations" in statement for statement in second[0] for word in ("INSERT", "UPDATE")
    )


async def test_a_strangers_chat_is_answered_and_not_collected(quiet_client, activity, connector, session_factory):  # type: ignore[no-untyped-def]
    """Nobody we know and nothing waiting for them (someone forgotten at their request, say): they are answered,
    and neither their chat nor their name is stored, in the turn's one session."""
    with database_use(quiet_client) as checkouts:
        await quiet_client.post("/api/messages", json=activity("personal-message", text="help"))
    assert "help" in str(connector.bodies()[-1]).lower()
    assert await _chat(session_factory) is None and len(checkouts) == 1
    async with session_factory() as session:
        assert await session.scalar(select(Person).where(Person.aad_object_id == PARTICIPANT_AAD)) is None


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


class _Failing:
    """Stands in for ``ConversationService`` with its database unreachable."""

    def __init__(self) -> None:
        self.asked: list[ConversationInfo] = []

    async def written_to_in(self, info: ConversationInfo, *, by: str, by_name: str = "") -> bool:
        self.asked.append(info)
        raise ConnectionError("database unreachable")


async def test_a_chat_that_cannot_be_stored_is_logged_and_the_person_still_answered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failing, answered = _Failing(), []

    async def logic() -> None:
        answered.append("answered")

    memo = RememberPersonalChats(failing)  # type: ignore[arg-type]
    await memo.on_turn(_message_in_a_chat(), logic)
    await memo.on_turn(_message_in_a_chat(), logic)
    assert answered == ["answered", "answered"]
    assert "could not remember the 1:1 chat conv-1" in caplog.text
    assert [info.conversation_id for info in failing.asked] == ["conv-1", "conv-1"]  # each message tries again
