"""Names the poll cards and their handlers share: button verbs, the commands their fallbacks type."""

from __future__ import annotations

from typing import Any

VOTE = "poll.vote"  # Action.Execute: {"poll": id, "option": id}
CLOSE = "poll.close"  # Action.Execute: {"poll": id}
EXPORT = "poll.export"  # Action.Execute: {"poll": id} or {"run": code}: a download link for the presser
VOTE_COMMAND = "vote"  # the Action.Submit fallback types "vote POLL OPTION"
POLL_COMMAND = "poll"  # ... and "poll close POLL"
RESULTS_COMMAND = "poll results"  # poll results POLL
EXPORT_COMMAND = "poll export"  # poll export POLL: what the download button's fallback types
POLLS_COMMAND = "polls"  # polls RUN
RUN_EXPORT_COMMAND = "polls export"  # polls export RUN
MAX_ID = 2**31  # ids the database can hold


def card_id(value: Any) -> int | None:
    """A positive id from card data (untrusted): an int the database can hold, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < MAX_ID else None


def typed_id(word: str) -> int | None:
    """A positive id typed (or sent by a Submit fallback) as digits, or None."""
    return card_id(int(word)) if word.isascii() and word.isdigit() and len(word) <= 10 else None
