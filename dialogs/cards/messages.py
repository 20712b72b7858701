"""Turning what flows build into Bot Framework activities."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from dialogs.cards.base import CARD_CONTENT_TYPE, CardMessage


class _CardAttachment(Attachment):
    """A card attachment that botbuilder's deep copy of every outgoing activity passes over.

    A card is never changed after it is built (a card that changes is copied first, and catalogue cards are
    shared between turns: ``dialogs/catalogue/cards/kept_cards.py``), and sending only reads it, so the copy of
    a few thousand objects can be this same attachment.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _CardAttachment:
        return self


def card_activity(message: CardMessage) -> Activity:
    """A message carrying one Adaptive Card; ``summary`` is what notifications and previews show."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[_CardAttachment(content_type=CARD_CONTENT_TYPE, content=message.card)],
        summary=message.summary,
    )
