"""Enrolments on course runs, the sessions each participant cannot attend, the calendar links that download
them, and the session times people were told.

An enrolment is one person's claim on one run (one row per person and run, reused when they come back), so a
replayed Teams activity finds the row it already made instead of booking twice.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, text_enum, utcnow
from storage.models.catalogue import CourseRun, RunSession

if TYPE_CHECKING:
    from storage.models.people import Organisation, Person


class EnrolmentStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    PENDING_REVIEW = "pending_review"  # a clash with some sessions awaits the trainers' decision; holds a place
    OFFERED = "offered"  # a freed place held for someone from the waitlist until offer_expires_at
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"  # withdrawn by the participant (or an offer they turned down)
    DECLINED = "declined"  # the trainers did not accept the clash
    OFFER_LAPSED = "offer_lapsed"  # an offer not taken up in time; it passed to the next person


# Statuses that take one of the run's places.
HOLDS_PLACE = frozenset({EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW, EnrolmentStatus.OFFERED})
# Statuses after which the row can be reused for a new request (a new round).
ENDED = frozenset({EnrolmentStatus.CANCELLED, EnrolmentStatus.DECLINED, EnrolmentStatus.OFFER_LAPSED})


class Enrolment(Base):
    """One person's place, place under review, offer or waitlist entry on one run."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("run_id", "person_id"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint("price_band IS NULL OR price_band BETWEEN 1 AND 5", name="price_band_tier"),
        Index("ix_enrolments_status_offer_expires_at", "status", "offer_expires_at"),
        Index("ix_enrolments_person_id", "person_id"),
        # The run's places held and people waiting, counted on every enrolment step (0025).
        Index("ix_enrolments_run_id_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[EnrolmentStatus] = mapped_column(text_enum(EnrolmentStatus, "enrolment_status"))
    # Bumped each time the row is reused after it ended; part of notification keys, so a new request gets
    # new cards while a replayed one gets none.
    round: Mapped[int] = mapped_column(default=1)
    # What the participant agreed to, as shown before they confirmed.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    price_band: Mapped[int | None]
    price_pence: Mapped[int | None]
    waitlisted_at: Mapped[datetime | None]  # the queue order
    offer_expires_at: Mapped[datetime | None]
    clash_reason: Mapped[str | None] = mapped_column(Text)  # why they cannot attend their clash sessions
    reviewed_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    run: Mapped[CourseRun] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    organisation: Mapped[Organisation | None] = relationship()
    # The sessions they cannot attend (asked for with the clash, kept once accepted), in session order.
    clash_sessions: Mapped[list[RunSession]] = relationship(
        secondary="enrolment_clash_sessions", order_by=RunSession.position
    )
    reviewed_by: Mapped[Person | None] = relationship(foreign_keys=[reviewed_by_person_id])

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE


class EnrolmentClashSession(Base):
    """A session a participant cannot attend: asked for with a clash, and missed with the trainers' consent.

    A session removed from its run takes its rows with it (nobody misses a session that no longer exists).
    """

    __tablename__ = "enrolment_clash_sessions"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("run_sessions.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CalendarLink(Base):
    """An unguessable, expiring download link for one enrolment's calendar; only the token's hash is kept."""

    __tablename__ = "calendar_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnnouncedSessionTime(Base):
    """The time participants were last told for a session; a session whose time differs has moved."""

    __tablename__ = "announced_session_times"

    session_id: Mapped[int] = mapped_column(ForeignKey("run_sessions.id", ondelete="CASCADE"), primary_key=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
