"""Inbound activities the bot has taken, so Teams redelivering one (to any bot process, or after a restart) does
not run it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ActivityReceipt(Base):
    """One activity taken: the primary key makes the claim insert-once; rows past ``expires_at`` are purged."""

    __tablename__ = "activity_receipts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 (hex) of channel, conversation, id
    expires_at: Mapped[datetime] = mapped_column(index=True)
