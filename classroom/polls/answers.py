"""One answer as plain text, whatever kind of poll it belongs to: what exports (and later reports) show.

Single choice: the option's text. Each kind of poll says here how its answers read (a rating's number, the picks
of a multiple choice, an open answer's words), so exports take every kind without knowing them.
"""

from __future__ import annotations

from storage.models import Poll, PollVote


def answer_as_text(poll: Poll, vote: PollVote) -> str:
    """The answer ``vote`` gave to ``poll``, as plain text (never markup: it may be shown or exported anywhere)."""
    option = next((o for o in poll.options if o.id == vote.option_id), None)
    return option.text if option is not None else ""


def kind_as_text(poll: Poll) -> str:
    """The poll's kind in words ("single choice")."""
    return poll.kind.value.replace("_", " ")
