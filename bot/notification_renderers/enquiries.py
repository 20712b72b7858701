"""Renderers for the enquiry notifications (see ``classroom.enquiries.notifications`` for the kinds).

Each turns an outbox payload into the activity to send, with the card builders of ``dialogs/cards``. The app
calls ``register(delivery.renderers, zone=settings.zone)`` once at start-up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery.renderers import Activity, RendererRegistry
from classroom.enquiries.digest import Digest
from classroom.enquiries.notifications import ENQUIRY_CARD, ENQUIRY_DIGEST, ENQUIRY_FOLLOWUP, ENQUIRY_REPLY
from classroom.enquiries.views import EnquiryView
from dialogs.cards.base import CARD_CONTENT_TYPE, CardMessage
from dialogs.cards.enquiry_card import build_enquiry_card
from dialogs.cards.enquiry_digest_card import build_enquiry_digest_card
from dialogs.cards.enquiry_followup_card import build_enquiry_followup_card
from dialogs.cards.enquiry_reply_card import build_enquiry_reply_card

LONDON = ZoneInfo("Europe/London")


def card_message(message: CardMessage) -> Activity:
    return {
        "type": "message",
        "summary": message.summary,
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": message.card}],
    }


def render_enquiry_card(payload: dict[str, Any], zone: ZoneInfo = LONDON) -> Activity:
    return card_message(build_enquiry_card(EnquiryView.from_payload(payload), zone))


def render_enquiry_reply(payload: dict[str, Any], zone: ZoneInfo = LONDON) -> Activity:
    return card_message(
        build_enquiry_reply_card(
            str(payload["reference"]),
            str(payload["kind"]),
            str(payload.get("from_name") or ""),
            str(payload["text"]),
            datetime.fromisoformat(payload["at"]),
            zone,
        )
    )


def render_enquiry_followup(payload: dict[str, Any], zone: ZoneInfo = LONDON) -> Activity:
    return card_message(
        build_enquiry_followup_card(
            str(payload["reference"]),
            str(payload.get("enquirer_name") or ""),
            str(payload["text"]),
            datetime.fromisoformat(payload["at"]),
            zone,
            reopened=bool(payload.get("reopened")),
        )
    )


def render_enquiry_digest(payload: dict[str, Any], zone: ZoneInfo = LONDON) -> Activity:
    return card_message(build_enquiry_digest_card(Digest.from_payload(payload), zone))


def register(registry: RendererRegistry, *, zone: ZoneInfo = LONDON) -> None:
    """Teach ``registry`` the four enquiry kinds, showing times in ``zone``."""
    registry.register(ENQUIRY_CARD, lambda payload: render_enquiry_card(payload, zone))
    registry.register(ENQUIRY_REPLY, lambda payload: render_enquiry_reply(payload, zone))
    registry.register(ENQUIRY_FOLLOWUP, lambda payload: render_enquiry_followup(payload, zone))
    registry.register(ENQUIRY_DIGEST, lambda payload: render_enquiry_digest(payload, zone))
