"""Where the bot is installed, so it can later write to people and chats unprompted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import ConversationRecord
from storage.upsert import insert_or_update


@dataclass(frozen=True)
class ConversationInfo:
    conversation_id: str
    conversation_type: str  # personal | groupChat | channel
    service_url: str
    reference: dict[str, Any]
    tenant_id: str | None = None
    user_aad_object_id: str | None = None
    team_id: str | None = None
    name: str | None = None


_UPDATABLE = [
    "conversation_type",
    "service_url",
    "reference",
    "tenant_id",
    "user_aad_object_id",
    "team_id",
    "name",
    "installed",
    "updated_at",
]


async def remember_conversation(session: AsyncSession, info: ConversationInfo) -> None:
    """Store (or refresh) the reference of a conversation the bot is installed in."""
    now = utcnow()
    values = {
        "conversation_id": info.conversation_id,
        "conversation_type": info.conversation_type,
        "service_url": info.service_url,
        "reference": info.reference,
        "tenant_id": info.tenant_id,
        "user_aad_object_id": info.user_aad_object_id,
        "team_id": info.team_id,
        "name": info.name,
        "installed": True,
        "created_at": now,
        "updated_at": now,
    }
    if info.name is None:  # don't wipe a known name with an activity that carries none
        values.pop("name")
    await insert_or_update(
        session,
        ConversationRecord.__table__,  # type: ignore[arg-type]
        values,
        ["conversation_id"],
        [c for c in _UPDATABLE if c in values],
    )


async def forget_conversation(session: AsyncSession, conversation_id: str) -> None:
    """The bot was removed: keep the row for the record but never write there again."""
    await session.execute(
        update(ConversationRecord)
        .where(ConversationRecord.conversation_id == conversation_id)
        .values(installed=False, updated_at=utcnow())
    )
