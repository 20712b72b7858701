"""Bot Framework conversation and user state, one JSON document per storage key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class BotStateRecord(Base):
    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    e_tag: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
