"""Data protection: download links for a person's own data, and the audit log of privileged actions.

The audit log keeps names and Entra object ids as they were at the time (not foreign keys), like
``admin_changes``, so it still says who did what after someone's name changes; an erasure replaces the erased
person's id and name in it with a pseudonym.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, JsonDocument, utcnow


class DataExportLink(Base):
    """An unguessable, expiring link to download everything held about one person; only the token's hash is kept.
    The file is built when the link is opened, so it is never stored."""

    __tablename__ = "data_export_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One privileged action: who (``actor``; None for the system or the command line), what (``action``, e.g.
    ``role.grant``, and ``details``), about whom (``subject``), where (a conversation id, or ``cli``), and when."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    actor_aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    subject_aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    where: Mapped[str] = mapped_column(String(512), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
