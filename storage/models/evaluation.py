"""Course evaluation: people's confidence in each learning outcome before and after a run, and how they rated it.

Answers are pseudonymous. They are stored under a respondent key, HMAC-SHA256 of the enrolment's id under a random
key of the run's own (``evaluation_run_keys``), never under a person or enrolment id: the "before" and "after" of
one person match (same key) without the report or the answers table naming anyone. While the run's key exists the
person's own answers can be found again (to export or erase them, through their enrolment); once it is dropped
(``classroom.evaluation.privacy``) nobody can tell whose an answer was.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, text_enum, utcnow


class EvaluationPhase(enum.StrEnum):
    BEFORE = "before"  # when a place is confirmed (or at the first session): confidence now
    AFTER = "after"  # when the last session ends: confidence now, then-test, satisfaction


def _phase_enum() -> Enum:
    return text_enum(EvaluationPhase, "evaluation_phase", length=10)


class EvaluationRunKey(Base):
    """The run's secret for respondent keys; ``hmac_key`` NULL once dropped (the answers are then anonymous)."""

    __tablename__ = "evaluation_run_keys"

    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), primary_key=True)
    hmac_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationResponse(Base):
    """One respondent's answer to one phase of a run's evaluation (or that they skipped it)."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (UniqueConstraint("run_id", "respondent_key", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), index=True)
    respondent_key: Mapped[str] = mapped_column(String(64))
    phase: Mapped[EvaluationPhase] = mapped_column(_phase_enum())
    skipped: Mapped[bool] = mapped_column(default=False)
    relevance: Mapped[int | None]  # after: relevance to practice, 1-5
    trainers: Mapped[int | None]  # after: the trainers, 1-5
    pace: Mapped[str | None] = mapped_column(String(20))  # after: too_slow | about_right | too_fast
    recommend: Mapped[str | None] = mapped_column(String(20))  # after: yes | maybe | no
    change_text: Mapped[str | None] = mapped_column(String(500))  # after: what should change (free text)
    answered_at: Mapped[datetime]

    ratings: Mapped[list[EvaluationRating]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="EvaluationRating.position"
    )


class EvaluationRating(Base):
    """One confidence rating, 1-5, of one learning outcome: ``item`` "now" (before and after), or "then" (after:
    thinking back to before the course). ``position`` is the outcome's place in the course's list, ``outcome``
    its words when asked."""

    __tablename__ = "evaluation_ratings"
    __table_args__ = (UniqueConstraint("response_id", "position", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("evaluation_responses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(500))
    item: Mapped[str] = mapped_column(String(10))
    rating: Mapped[int]


class EvaluationExportLink(Base):
    """An expiring, unguessable link to a run's evaluation report as CSV, issued to one trainer or coordinator
    (only the token's SHA-256 is kept)."""

    __tablename__ = "evaluation_export_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_to_aad_object_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
