"""Live sessions in Teams: when each session's meeting really started and ended, who joined and left it (the raw
events the attendance register is computed from), trainers' corrections of the register, and completions.

Join and leave events are stored as they arrive, one row per (session, person, kind, time): a redelivered event is
the same row, so replays and two processes receiving the same event count once, and the register is recomputed
from the events (merging rejoins and overlaps) rather than kept as a running tally that a race could skew.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, text_enum, utcnow


class AttendanceStatus(enum.StrEnum):
    ATTENDED = "attended"  # present for at least the configured share of the session
    PARTLY = "partly"  # seen, but for less than that share
    ABSENT = "absent"  # never seen


class ParticipantEvent(enum.StrEnum):
    JOIN = "join"
    LEAVE = "leave"


class MeetingSession(Base):
    """A run session's meeting as it really happened (times from Teams' meeting start and end events)."""

    __tablename__ = "meeting_sessions"

    session_id: Mapped[int] = mapped_column(ForeignKey("run_sessions.id", ondelete="CASCADE"), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(String(512), index=True)
    conversation_id: Mapped[str] = mapped_column(String(512))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]  # set once: the end's effects (prompts, summary, completion) follow it


class AttendanceEvent(Base):
    """One participant joining or leaving a session's meeting, as Teams reported it."""

    __tablename__ = "attendance_events"
    __table_args__ = (
        UniqueConstraint("session_id", "aad_object_id", "kind", "at"),
        Index("ix_attendance_events_aad_object_id", "aad_object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("run_sessions.id", ondelete="CASCADE"))
    aad_object_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[ParticipantEvent] = mapped_column(text_enum(ParticipantEvent, "participant_event"))
    at: Mapped[datetime]


class AttendanceCorrection(Base):
    """A trainer's correction of one person's status for one session; the newest for a (session, person) wins,
    the older ones stay as the record of who changed what."""

    __tablename__ = "attendance_corrections"
    __table_args__ = (Index("ix_attendance_corrections_session_id_person_id", "session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("run_sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[AttendanceStatus] = mapped_column(text_enum(AttendanceStatus, "attendance_status"))
    corrected_by_aad_object_id: Mapped[str] = mapped_column(String(64))
    corrected_by_name: Mapped[str] = mapped_column(String(200), default="")
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceOutcome(Base):
    """Each participant's register line as measured when the session ended (before any correction): what the
    register shows once the join and leave events behind it are purged after their retention period."""

    __tablename__ = "attendance_outcomes"

    session_id: Mapped[int] = mapped_column(ForeignKey("run_sessions.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[AttendanceStatus] = mapped_column(text_enum(AttendanceStatus, "attendance_status"))
    present_seconds: Mapped[int]


class Completion(Base):
    """A participant who attended every session of a run (accepted clashes excepted)."""

    __tablename__ = "completions"

    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    completed_at: Mapped[datetime]


class AttendanceExportLink(Base):
    """A download link for a run's attendance (CSV): only the token's SHA-256 is kept; whoever it was issued to must
    still see the run's attendance (a trainer of the run or a coordinator) when it is opened."""

    __tablename__ = "attendance_export_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    issued_to_aad_object_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
