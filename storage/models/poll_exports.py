"""Download links for poll answers (CSV): unguessable, expiring, and only for the person they were issued to.

As with calendar links only the token's SHA-256 is kept, so a copy of the database yields no working link. A link
covers one poll (``poll_id``) or every poll of a run (``poll_id`` NULL); whoever it was issued to must still be
entitled to the run's answers (a trainer of the run or a coordinator) when it is opened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class PollExportLink(Base):
    __tablename__ = "poll_export_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), index=True)
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    issued_to_aad_object_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
