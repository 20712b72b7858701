"""Where the bot is installed: one row per personal chat, group chat or team channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, JsonDocument, utcnow


class ConversationRecord(Base):
    """A conversation the bot can write to unprompted (reminders, offers, coordinator cards).

    ``reference`` is the Bot Framework conversation reference as JSON, so the host can rebuild it
    without this layer knowing botbuilder.
    """

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(512), unique=True)
    conversation_type: Mapped[str] = mapped_column(String(20))  # personal | groupChat | channel
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(2000))
    # For a personal chat: the user it is with; for channels: the team it belongs to.
    user_aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    team_id: Mapped[str | None] = mapped_column(String(512))
    name: Mapped[str | None] = mapped_column(String(300))
    reference: Mapped[dict] = mapped_column(JsonDocument)
    installed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
