"""In-session polls: which chat is linked to which course run, the polls launched there, their options and votes.

Anonymous polls never store who answered: a vote's ``voter_key`` is then an HMAC of the voter's Entra object id
under the poll's own random ``hmac_key``, which is set to NULL (with every such ``voter_key``) when the poll
closes. Named polls keep the voter's Entra object id and display name.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, JsonDocument, text_enum, utcnow


class PollKind(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"  # up to ``max_picks`` options, one ``PollVotePick`` each
    RATING = "rating"  # options "1".."5", with ``low_label`` and ``high_label``
    OPEN_TEXT = "open_text"  # the answer in ``PollVote.text``
    CONFIDENCE = "confidence"  # options are the course's learning outcomes, each rated 1-5 by a ``PollVotePick``
    QUIZ = "quiz"  # single choice with one ``PollOption.correct``, revealed at close


class PollStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PollResults(enum.StrEnum):
    LIVE = "live"  # everyone sees the counts as votes arrive
    AFTER_CLOSE = "after_close"  # everyone sees them once the poll closes; the launcher sees them live in 1:1
    LAUNCHER_ONLY = "launcher_only"  # only the launcher sees them, live, in their 1:1 chat


class ChatRunLink(Base):
    """A group chat, meeting chat or channel linked to the course run whose sessions happen there."""

    __tablename__ = "chat_run_links"

    conversation_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), index=True)
    linked_by_aad_object_id: Mapped[str] = mapped_column(String(64))
    linked_by_name: Mapped[str] = mapped_column(String(200), default="")
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class Poll(Base):
    """One poll launched in a linked chat. ``card_due_at`` is no longer written (the card's updates are spaced from
    their outbox rows' ``sent_at``: ``classroom.polls.notices``); the column stays until a migration drops it."""

    __tablename__ = "polls"
    __table_args__ = (CheckConstraint("status = 'open' OR closed_at IS NOT NULL", name="closed_has_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(512), index=True)
    kind: Mapped[PollKind] = mapped_column(text_enum(PollKind, "poll_kind"))
    question: Mapped[str] = mapped_column(String(240))
    anonymous: Mapped[bool]
    results: Mapped[PollResults] = mapped_column(text_enum(PollResults, "poll_results"))
    changeable: Mapped[bool]
    status: Mapped[PollStatus] = mapped_column(text_enum(PollStatus, "poll_status"))
    hmac_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # anonymous and open only
    launched_by_aad_object_id: Mapped[str] = mapped_column(String(64))
    launched_by_name: Mapped[str] = mapped_column(String(200), default="")
    launched_at: Mapped[datetime]
    closed_by_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    closed_by_name: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]
    card_due_at: Mapped[datetime | None]
    max_picks: Mapped[int | None]  # multiple choice only
    low_label: Mapped[str | None] = mapped_column(String(60))  # rating only: what 1 means
    high_label: Mapped[str | None] = mapped_column(String(60))  # ... and 5
    closes_at: Mapped[datetime | None] = mapped_column(index=True)  # closes by itself then (if still open)
    prepared_poll_id: Mapped[int | None] = mapped_column(
        ForeignKey("prepared_polls.id", ondelete="SET NULL"), index=True
    )  # launched from this prepared poll

    options: Mapped[list[PollOption]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollOption.position", lazy="selectin"
    )


class PreparedPoll(Base):
    """A poll a trainer prepared for a run before the session (in their 1:1 chat), launched later with one click in
    the run's chat, or in the chat of a later run of the same course. ``draft`` is the checked draft as JSON."""

    __tablename__ = "prepared_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(240))
    draft: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    prepared_by_aad_object_id: Mapped[str] = mapped_column(String(64))
    prepared_by_name: Mapped[str] = mapped_column(String(200), default="")
    prepared_at: Mapped[datetime]


class PollOption(Base):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(500))  # typed options are at most 120; learning outcomes longer
    correct: Mapped[bool] = mapped_column(default=False, server_default=false())  # a quiz's right answer

    poll: Mapped[Poll] = relationship(back_populates="options")


class PollVote(Base):
    """One person's answer to one poll. ``voter_key`` (unique per poll) is the voter's Entra object id for a named
    poll, an HMAC of it for an open anonymous poll, and NULL once an anonymous poll has closed; anonymous votes keep
    no name and no time."""

    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    # single choice, quiz, rating: the option; open text: the text; multiple choice, confidence: ``picks``
    option_id: Mapped[int | None] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"), index=True)
    text: Mapped[str | None] = mapped_column(String(280))
    voter_key: Mapped[str | None] = mapped_column(String(64))
    voter_name: Mapped[str | None] = mapped_column(String(200))  # named polls only
    answered_at: Mapped[datetime | None]  # named polls only
    teams_user_id: Mapped[str | None] = mapped_column(String(200))  # named polls only: for per-user card views

    picks: Mapped[list[PollVotePick]] = relationship(
        cascade="all, delete-orphan", order_by="PollVotePick.option_id", lazy="selectin"
    )


class PollVotePick(Base):
    """One option of a vote that holds several: a multiple-choice pick, or a learning outcome with its rating."""

    __tablename__ = "poll_vote_picks"

    vote_id: Mapped[int] = mapped_column(ForeignKey("poll_votes.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rating: Mapped[int | None]  # confidence only: 1-5
