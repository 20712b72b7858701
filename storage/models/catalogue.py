"""The course catalogue: courses, their scheduled runs, the sessions of each run."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, JsonDocument, utcnow

if TYPE_CHECKING:
    from storage.models.people import Organisation


class Course(Base):
    """A course as the provider advertises it, independent of any date."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    target_audience: Mapped[str] = mapped_column(String(300))
    prerequisites: Mapped[str] = mapped_column(Text, default="")
    duration: Mapped[str] = mapped_column(String(100))
    outline_url: Mapped[str | None] = mapped_column(String(2000))
    delivery: Mapped[str] = mapped_column(String(200))
    # The course's own wording of the reflection questions, by question key (``classroom.reflection.questions``);
    # None: the default set.
    reflection_questions: Mapped[dict[str, str] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    learning_outcomes: Mapped[list[LearningOutcome]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="LearningOutcome.position"
    )
    runs: Mapped[list[CourseRun]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseRun.code"
    )


class LearningOutcome(Base):
    """One learning outcome; their order is the order the course page gives."""

    __tablename__ = "learning_outcomes"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    course: Mapped[Course] = relationship(back_populates="learning_outcomes")


class CourseRun(Base):
    """One scheduled delivery of a course: its sessions, places, trainers, join link and prices."""

    __tablename__ = "course_runs"
    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    capacity: Mapped[int]
    join_url: Mapped[str | None] = mapped_column(String(2000))
    # Who may enrol: free text shown to people, plus (optionally) the organisations it is limited to.
    eligible_audience: Mapped[str] = mapped_column(String(300), default="")
    currency: Mapped[str] = mapped_column(String(3), default="GBP")

    course: Mapped[Course] = relationship(back_populates="runs")
    sessions: Mapped[list[RunSession]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="RunSession.position"
    )
    trainers: Mapped[list[RunTrainer]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="RunTrainer.position"
    )
    prices: Mapped[list[RunPrice]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="RunPrice.band"
    )
    eligible_organisations: Mapped[list[RunEligibleOrganisation]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )


class RunSession(Base):
    """One live session of a run; times are stored in UTC and shown in the configured timezone."""

    __tablename__ = "run_sessions"
    __table_args__ = (
        UniqueConstraint("run_id", "position"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"))
    position: Mapped[int]
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]

    run: Mapped[CourseRun] = relationship(back_populates="sessions")


class RunTrainer(Base):
    """A trainer of a run, by name; linked to a person once we know their Entra object id."""

    __tablename__ = "run_trainers"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Linked in Teams (``link trainer``) rather than listed in the catalogue file: an import keeps such a trainer.
    linked_in_teams: Mapped[bool] = mapped_column(default=False, server_default=false())

    run: Mapped[CourseRun] = relationship(back_populates="trainers")


class RunPrice(Base):
    """The price of one place on a run for organisations in one price band (Tier 1-5)."""

    __tablename__ = "run_prices"
    __table_args__ = (
        CheckConstraint("band BETWEEN 1 AND 5", name="band_tier"),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
    )

    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(primary_key=True)
    amount_pence: Mapped[int]

    run: Mapped[CourseRun] = relationship(back_populates="prices")


class RunEligibleOrganisation(Base):
    """Limits a run to staff of the listed organisations (none listed: open to all)."""

    __tablename__ = "run_eligible_organisations"

    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)

    run: Mapped[CourseRun] = relationship(back_populates="eligible_organisations")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
