"""Conversations chosen for a purpose, e.g. the coordinators' channel that receives enquiries and digests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class DesignatedConversation(Base):
    """One conversation per purpose (``"coordinators"``), set by a person with the right role."""

    __tablename__ = "designated_conversations"

    purpose: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(512))
    set_by_aad_object_id: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
