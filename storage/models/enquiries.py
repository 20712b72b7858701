"""Enquiries from participants, their history, and the counter that numbers them per year."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, JsonDocument, text_enum, utcnow


class EnquiryKind(enum.StrEnum):
    QUESTION = "question"  # a question about a (scheduled) course
    DELIVERY = "delivery"  # a request to deliver a course online for the enquirer's organisation


class EnquiryStatus(enum.StrEnum):
    AWAITING_REPLY = "awaiting_reply"  # the enquirer is waiting for us (new, or they wrote again)
    ANSWERED = "answered"  # we replied; waiting for the enquirer, if anything
    CLOSED = "closed"


class EnquiryAction(enum.StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    REPLIED = "replied"  # a coordinator wrote to the enquirer
    ENQUIRER_REPLIED = "enquirer_replied"  # the enquirer wrote back
    CLOSED = "closed"
    REOPENED = "reopened"


class Enquiry(Base):
    """One enquiry; ``reference`` (ENQ-2026-0042) is what people see and type."""

    __tablename__ = "enquiries"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("participants IS NULL OR participants > 0", name="participants_positive"),
        Index("ix_enquiries_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    number: Mapped[int]
    # Names the submission for good (the dialog's own id), so a redelivered or repeated submit adds nothing.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[EnquiryKind] = mapped_column(text_enum(EnquiryKind, "enquiry_kind"))
    status: Mapped[EnquiryStatus] = mapped_column(
        text_enum(EnquiryStatus, "enquiry_status"), default=EnquiryStatus.AWAITING_REPLY
    )
    enquirer_aad_object_id: Mapped[str] = mapped_column(String(64), index=True)
    enquirer_name: Mapped[str] = mapped_column(String(200))
    enquirer_email: Mapped[str] = mapped_column(String(320))
    organisation: Mapped[str] = mapped_column(String(200))
    job_role: Mapped[str] = mapped_column(String(200))
    course_codes: Mapped[list[str]] = mapped_column(JsonDocument)
    participants: Mapped[int | None]
    preferred_dates: Mapped[str | None] = mapped_column(String(300))
    preferred_platform: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    assignee_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    assignee_name: Mapped[str | None] = mapped_column(String(200))
    # Since when the enquirer has been waiting for us (None: they are not); what "overdue" is measured from.
    awaiting_since: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    events: Mapped[list[EnquiryEvent]] = relationship(
        back_populates="enquiry", cascade="all, delete-orphan", order_by="EnquiryEvent.id"
    )


class EnquiryEvent(Base):
    """Who did what to an enquiry, and when; replies keep their text."""

    __tablename__ = "enquiry_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiries.id", ondelete="CASCADE"), index=True)
    action: Mapped[EnquiryAction] = mapped_column(text_enum(EnquiryAction, "enquiry_action"))
    actor_aad_object_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    # The Teams activity that caused it: a redelivered reply is recorded (and sent) once.
    idempotency_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    at: Mapped[datetime]

    enquiry: Mapped[Enquiry] = relationship(back_populates="events")


class EnquiryCounter(Base):
    """The last enquiry number given out in a year; bumped under a row lock, so numbers never repeat."""

    __tablename__ = "enquiry_counters"

    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
