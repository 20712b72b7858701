"""A poll's kind in words, as exports (and later reports) show it; each answer reads as plain text through
``classroom.polls.ballots.answer_text``."""

from __future__ import annotations

from storage.models import Poll


def kind_as_text(poll: Poll) -> str:
    """The poll's kind in words ("single choice")."""
    return poll.kind.value.replace("_", " ")
