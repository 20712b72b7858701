"""Shared set-up for delivery tests: stored conversations, queued notifications, a connector client."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.connector import BotConnectorClient, EdgeCredentialsFactory, SessionHolder
from classroom.outbox import TextNotice, enqueue
from storage.models import ConversationRecord

BOT = {"id": "28:bot-app-id", "name": "Classroom"}
TENANT = "72f988bf-0000-0000-0000-000000000001"


def conversation(
    conversation_id: str, service_url: str, *, personal_user: str | None = None, installed: bool = True
) -> ConversationRecord:
    kind = "personal" if personal_user else "groupChat"
    return ConversationRecord(
        conversation_id=conversation_id,
        conversation_type=kind,
        tenant_id=TENANT,
        service_url=service_url,
        user_aad_object_id=personal_user,
        reference={
            "bot": BOT,
            "user": {"id": f"29:{personal_user}", "aadObjectId": personal_user} if personal_user else None,
            "conversation": {"id": conversation_id, "conversationType": kind, "tenantId": TENANT},
            "channelId": "msteams",
            "serviceUrl": service_url,
        },
        installed=installed,
    )


async def store_conversations(
    session_factory: async_sessionmaker[AsyncSession], records: list[ConversationRecord]
) -> None:
    async with session_factory.begin() as session:
        session.add_all(records)


async def queue_texts(
    session_factory: async_sessionmaker[AsyncSession],
    items: list[tuple[str, str]],
    *,
    due_at: datetime | None = None,
    recipients: bool = False,
) -> None:
    """Queue one text notification per ``(target, text)``; the text is also the dedupe key."""
    due = due_at or datetime.now(UTC)
    async with session_factory.begin() as session:
        for target, text in items:
            address = {"recipient": target} if recipients else {"conversation_key": target}
            await enqueue(session, TextNotice(text=text), due_at=due, dedupe_key=text, **address)


def connector_client(session: aiohttp.ClientSession, *, timeout: float = 10.0) -> BotConnectorClient:
    """The app's Bot Connector client with authentication off, as it runs against a local connector."""
    holder = SessionHolder(session)
    return BotConnectorClient(holder, EdgeCredentialsFactory(app_id="", sessions=holder), timeout=timeout)
