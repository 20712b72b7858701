"""The notification outbox and the once-per-period guard of periodic jobs.

Both tables belong to proactive delivery: the domain writes outbox rows in the transaction that causes
them, the host's dispatcher claims, sends and records them; periodic jobs (which usually enqueue) claim
their period here so that several replicas run each period once.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, JsonDocument, text_enum, utcnow


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its due time or its next attempt
    SENDING = "sending"  # claimed by a dispatcher under a lease
    SENT = "sent"
    DEAD = "dead"  # gave up (bounded retries spent, or a request Teams will never accept)
    UNDELIVERABLE = "undeliverable"  # no chat to write in (app not added, removed or blocked; or chat gone)
    CANCELLED = "cancelled"  # re-planned by the domain before it was sent


class OutboxNotification(Base):
    """One message the bot starts itself, to one conversation or one person's 1:1 chat."""

    __tablename__ = "outbox"
    __table_args__ = (
        # Exactly one addressing mode: a stored conversation, or a person reached in their 1:1 chat.
        CheckConstraint("(conversation_key IS NULL) <> (recipient_aad_object_id IS NULL)", name="one_target"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Byte order on PostgreSQL too, so prefix look-ups (``classroom.outbox.HAS_DEDUPE_PREFIX``) use the index.
    dedupe_key: Mapped[str] = mapped_column(
        String(300).with_variant(String(300, collation="C"), "postgresql"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    conversation_key: Mapped[str | None] = mapped_column(String(512))
    recipient_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    status: Mapped[NotificationStatus] = mapped_column(
        text_enum(NotificationStatus, "notification_status"),
        default=NotificationStatus.PENDING,
    )
    due_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    # After this it is no news (a reminder once its session has started): never sent, never revived.
    expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)  # every claim counts: with lease_owner, the claim's token
    # Attempts spent on earlier content: a message Teams already has can be due again with new content (a card
    # whose subject changed), and its tries start afresh without reusing a claim token.
    superseded_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # New content arrived while a dispatcher was sending the old: due again as soon as that send is recorded.
    changed_while_sending: Mapped[bool] = mapped_column(default=False, server_default=false())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    activity_id: Mapped[str | None] = mapped_column(String(256))
    sent_conversation_id: Mapped[str | None] = mapped_column(String(512))
    sent_at: Mapped[datetime | None] = mapped_column(index=True)  # a restarted dispatcher reloads recent sends
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PeriodicJobRun(Base):
    """A periodic job's claim on one period; the primary key makes the claim insert-once."""

    __tablename__ = "periodic_job_runs"

    job_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
