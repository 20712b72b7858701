"""Catalogue cards built once and shown many times.

A catalogue card is a pure function of catalogue values that never change once built (a new catalogue version
brings new objects), of the live figures it shows (places left) and the viewer's band, and of the time zone.
At the start of a session hundreds of people open the same course card, so each card is kept under exactly
those inputs: other places left, another band, another run coming up is another key, so a kept card is never
stale and never shows someone else's price. Catalogue objects are keyed by identity (``id``); the entry holds
them, so no other object can take their id while it is kept.

A kept card is shared by every turn that shows it: nobody may change a card after it is built (cards that
change, such as an answered question, are copied first).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from dialogs.cards.base import CardMessage

#: Cards kept per kind: a course's card for a few counts and bands at once, well under a megabyte in all.
KEPT = 64


class KeptCards:
    """A small least-recently-used store of cards by their inputs (for one event loop: nothing here awaits)."""

    def __init__(self, size: int = KEPT) -> None:
        self._size = size
        self._cards: OrderedDict[Hashable, tuple[tuple[object, ...], CardMessage]] = OrderedDict()
        self.builds = 0  # how many were built rather than found (for tests)

    def card(self, key: Hashable, holds: tuple[object, ...], build: Callable[[], CardMessage]) -> CardMessage:
        """The card kept under ``key``, or ``build()`` kept there; ``holds``: the objects whose ids ``key`` uses."""
        entry = self._cards.get(key)
        if entry is not None:
            self._cards.move_to_end(key)
            return entry[1]
        message = build()
        self.builds += 1
        self._cards[key] = (holds, message)
        if len(self._cards) > self._size:
            self._cards.popitem(last=False)
        return message
