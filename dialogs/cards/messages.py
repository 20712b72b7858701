"""Turning what flows build into Bot Framework activities."""

from __future__ import annotations

import copy
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from dialogs.cards.base import CARD_CONTENT_TYPE, CardMessage


class _CardActivity(Activity):
    """A card message that botbuilder's deep copy of every outgoing activity copies shallowly.

    botbuilder copies an activity before addressing it (setting its conversation, sender, recipient...), so that the
    sender's object is left as it was; setting attributes needs only a shallow copy. The deep copy went through the
    card (a few KB, hundreds of objects) and every one of the activity's fifty fields: a fifth of a help turn's CPU.
    A card is never changed after it is built (a card that changes is copied first, and catalogue cards are shared
    between turns: ``dialogs/catalogue/cards/kept_cards.py``).
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _CardActivity:
        return copy.copy(self)


def card_activity(message: CardMessage) -> Activity:
    """A message carrying one Adaptive Card; ``summary`` is what notifications and previews show."""
    return card_activity_of(message.card, message.summary)


def card_activity_of(card: dict[str, Any], summary: str) -> Activity:
    """:func:`card_activity` of a card kept without its message (a question's, in the dialog state)."""
    return _CardActivity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
        summary=summary,
    )
