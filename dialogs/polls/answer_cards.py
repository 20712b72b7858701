"""The card a press on a poll is answered with (the presser's own view), built once for the presses answered alike.

Votes recorded together (``classroom.polls.vote_batches``) are told the same view of the poll, and the voters who
chose the same get the same card: so the cards of the latest view are kept (by what else shapes them: the time
zone, the answer shown, the note, what the person sent), a handful at most, and a new view replaces them. Cards
are never changed once built (they are serialised as they are), so one may answer several presses.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any
from zoneinfo import ZoneInfo

from classroom.polls.views import PollView
from dialogs.polls.cards.poll import build_poll_card

KEPT = 32  # cards kept for the latest view (a poll has at most a few options; typed inputs vary more)


class _Latest:
    def __init__(self) -> None:
        self.view: PollView | None = None
        self.cards: dict[Hashable, dict[str, Any]] = {}


_latest = _Latest()


def _key(zone: ZoneInfo, chosen: str | None, notice: str | None, typed: dict[str, Any]) -> Hashable | None:
    try:
        key = (zone, chosen, notice, frozenset(typed.items()))
        hash(key)
    except TypeError:
        return None  # a list or a mapping in what they sent: built for them alone
    return key


def answer_card(
    view: PollView, zone: ZoneInfo, *, chosen: str | None, notice: str | None, typed: dict[str, Any]
) -> dict[str, Any]:
    """``build_poll_card(view, zone, chosen=…, notice=…, typed=…).card``, the same card for the same arguments."""
    key = _key(zone, chosen, notice, typed)
    if key is None:
        return build_poll_card(view, zone, chosen=chosen, notice=notice, typed=typed).card
    if _latest.view is not view:
        _latest.view, _latest.cards = view, {}
    card = _latest.cards.get(key)
    if card is None:
        card = build_poll_card(view, zone, chosen=chosen, notice=notice, typed=typed).card
        if len(_latest.cards) < KEPT:
            _latest.cards[key] = card
    return card
