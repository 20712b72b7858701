"""Certificates of attendance: one per person and course run they completed, and the links to download one.

A certificate says what was true when it was issued, so it keeps its own copy of what it shows (the holder's name,
the course, the sessions' times, outcomes and trainers) instead of following later edits to the catalogue or a
changed Teams name. ``code`` is what anyone types to check it (``certificate CODE``): random, unique by constraint.
Download links keep only the SHA-256 of their token, so a copy of the database yields no working link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, JsonDocument, utcnow


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("run_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("course_runs.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    course_code: Mapped[str] = mapped_column(String(32))
    course_title: Mapped[str] = mapped_column(String(300))
    run_code: Mapped[str] = mapped_column(String(48))
    minutes: Mapped[int]
    first_starts_at: Mapped[datetime]
    last_ends_at: Mapped[datetime]
    # {"sessions": [[start, end], …] (ISO UTC), "outcomes": [text, …], "trainers": [name, …]}
    details: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    cpd_entry_id: Mapped[int | None] = mapped_column(ForeignKey("cpd_entries.id", ondelete="SET NULL"))
    # Whether its CPD entry was made (at issue, or by the periodic job when the issuer had no keys); an entry the
    # holder later deletes is not made again.
    cpd_recorded: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateLink(Base):
    """An expiring, unguessable link to one certificate's PDF, issued to its holder."""

    __tablename__ = "certificate_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
