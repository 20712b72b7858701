"""Reflections after a session, and the CPD log they feed: the author's alone, their words sealed at rest.

Every text a person writes (answers, outcomes marked, CPD fields) is stored only as ciphertext
(``classroom.reflection.sealing``: authenticated encryption under a key from the settings), so a database dump or
backup shows none of it. What stays readable is what the bot must count or sort by without reading anyone's
words: whose it is, which session, its state, dates, hours, the type of CPD, and whether a peer reflection exists.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, text_enum, utcnow


class ReflectionStatus(enum.StrEnum):
    PROMPTED = "prompted"  # the prompt was planned or sent; nothing written yet
    DRAFT = "draft"  # saved to finish later (still nudged once)
    DONE = "done"
    SKIPPED = "skipped"  # never nudged


def _status_enum() -> Enum:
    return text_enum(ReflectionStatus, "reflection_status")


class Reflection(Base):
    """One person's reflection on one session of a course run they were enrolled on."""

    __tablename__ = "reflections"
    __table_args__ = (UniqueConstraint("person_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("course_runs.id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("run_sessions.id", ondelete="SET NULL"), index=True)
    status: Mapped[ReflectionStatus] = mapped_column(_status_enum())
    sealed_answers: Mapped[bytes | None] = mapped_column(LargeBinary)  # JSON {answers, outcome ids}, encrypted
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CpdEntry(Base):
    """One entry of a person's CPD log, in the shape of Social Work England's form. A course reflection makes one
    (``reflection_id`` set); ``cpd add`` makes the others. ``registration_year`` is the year the registration year
    starts (1 December, UK time)."""

    __tablename__ = "cpd_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    reflection_id: Mapped[int | None] = mapped_column(ForeignKey("reflections.id", ondelete="CASCADE"), unique=True)
    registration_year: Mapped[int] = mapped_column(index=True)
    activity_date: Mapped[date]
    cpd_type: Mapped[str] = mapped_column(String(60))
    minutes: Mapped[int] = mapped_column(default=0)
    has_peer_reflection: Mapped[bool] = mapped_column(default=False)
    sealed_fields: Mapped[bytes] = mapped_column(LargeBinary)  # JSON of the form's text fields, encrypted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CpdExportLink(Base):
    """An expiring, unguessable link to download one person's CPD log for one registration year (Word or CSV). Only
    the SHA-256 of the token is kept, so a copy of the database yields no working link."""

    __tablename__ = "cpd_export_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    registration_year: Mapped[int]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
