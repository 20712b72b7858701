"""Turning what flows build into Bot Framework activities."""

from __future__ import annotations

from botbuilder.schema import Activity, ActivityTypes, Attachment

from dialogs.cards.base import CARD_CONTENT_TYPE, CardMessage


def card_activity(message: CardMessage) -> Activity:
    """A message carrying one Adaptive Card; ``summary`` is what notifications and previews show."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=message.card)],
        summary=message.summary,
    )
