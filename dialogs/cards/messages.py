"""Turning what flows build into Bot Framework activities."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from dialogs.cards.base import CARD_CONTENT_TYPE, CardMessage


class _CardAttachment(Attachment):
    """A card attachment that botbuilder's deep copy of every outgoing activity passes over.

    The card (a few KB, hundreds of objects: a fifth of a help turn's CPU went to copying it) is never changed after
    it is built, and the activity is read only to write the request to Teams, so the copy can be this same object.
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
