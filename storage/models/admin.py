"""The record of every change to who may do what: roles granted and revoked, trainers linked to runs and unlinked.

Names and Entra object ids are kept as they were at the time (not as foreign keys), so the record still says who
did what to whom after someone's name changes.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, text_enum, utcnow


class AdminAction(enum.StrEnum):
    GRANT = "grant"
    REVOKE = "revoke"
    LINK_TRAINER = "link_trainer"
    UNLINK_TRAINER = "unlink_trainer"


class AdminChange(Base):
    """One change: who made it (``actor``; the ``ADMIN_AAD_OBJECT_IDS`` bootstrap has no actor), what it was, whom
    it was about, and when. ``role`` names the role granted or revoked; ``run_code`` the run a trainer was linked to."""

    __tablename__ = "admin_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[AdminAction] = mapped_column(text_enum(AdminAction, "admin_action"))
    actor_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    subject_aad_object_id: Mapped[str] = mapped_column(String(64), index=True)
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str | None] = mapped_column(String(20))
    run_code: Mapped[str | None] = mapped_column(String(48))
