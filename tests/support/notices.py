"""Notices of any kind and payload, for tests of the outbox machinery that do not care what a message says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.outbox import Notice, TextNotice, enqueue
from storage.models import NotificationStatus, OutboxNotification


def notice_of(kind: str, payload: dict[str, Any]) -> Notice:
    """A notice of ``kind`` whose payload is exactly ``payload``."""
    raw = type(f"Raw_{kind}", (Notice,), {"KIND": kind, "model_config": ConfigDict(frozen=True, extra="allow")})
    return raw(**payload)


COORDINATORS_CHAT = "19:coordinators"


async def queue_text(
    session: AsyncSession,
    text: str,
    *,
    key: str | None = None,
    due_at: datetime | None = None,
    to: str | None = COORDINATORS_CHAT,
    recipient: str | None = None,
    expires_at: datetime | None = None,
) -> bool:
    """Queue a text notification in the caller's transaction: to a chat (``to``) or a person (``recipient``); the
    text is its dedupe key unless ``key`` is given; due now unless ``due_at`` says when."""
    return await enqueue(
        session,
        TextNotice(text=text),
        due_at=due_at or datetime.now(UTC),
        dedupe_key=key or text,
        conversation_key=None if recipient else to,
        expires_at=expires_at,
        recipient=recipient,
    )


async def mark(session: AsyncSession, key: str, status: NotificationStatus, last_error: str | None = None) -> None:
    """Put the notification named ``key`` in ``status``, as the dispatcher would have left it."""
    await session.execute(
        update(OutboxNotification)
        .where(OutboxNotification.dedupe_key == key)
        .values(status=status, last_error=last_error)
    )
