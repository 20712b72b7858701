"""Renderers for the enrolment notifications (kinds and payload models in ``classroom.enrolment.notices``).

Each payload is validated against its model and drawn with a card builder of ``dialogs/cards``; times are
shown in ``zone`` when the message is sent, so a reminder's local time is right across daylight saving. The app
calls ``register(delivery.renderers, zone=settings.zone)`` once at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.delivery.renderers import Activity, Renderer, RendererRegistry
from classroom.enrolment import notices
from dialogs.cards.base import CARD_CONTENT_TYPE, CardMessage
from dialogs.cards.clash_review_card import build_clash_decision_card, build_clash_review_card
from dialogs.cards.session_moved_card import build_session_moved_card
from dialogs.cards.session_reminder_card import build_reminder_card, build_trainer_reminder_card
from dialogs.cards.waitlist_offer_card import build_offer_lapsed_card, build_waitlist_offer_card

N = TypeVar("N", bound=BaseModel)


def card_message(message: CardMessage) -> Activity:
    return {
        "type": "message",
        "summary": message.summary,
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": message.card}],
    }


def card_renderer(model: type[N], builder: Callable[[N, ZoneInfo], CardMessage], zone: ZoneInfo) -> Renderer:
    """payload -> activity; a payload that does not fit the model raises ValueError (the row goes dead)."""

    def render(payload: dict[str, Any]) -> Activity:
        return card_message(builder(model.model_validate(payload), zone))

    return render


def register(registry: RendererRegistry, *, zone: ZoneInfo) -> None:
    """Teach ``registry`` the seven enrolment kinds, showing times in ``zone``."""
    registry.register(notices.REMINDER, card_renderer(notices.ReminderNotice, build_reminder_card, zone))
    registry.register(
        notices.TRAINER_REMINDER, card_renderer(notices.TrainerReminderNotice, build_trainer_reminder_card, zone)
    )
    registry.register(notices.CLASH_REVIEW, card_renderer(notices.ClashReviewNotice, build_clash_review_card, zone))
    registry.register(
        notices.CLASH_DECISION, card_renderer(notices.ClashDecisionNotice, build_clash_decision_card, zone)
    )
    registry.register(
        notices.WAITLIST_OFFER, card_renderer(notices.WaitlistOfferNotice, build_waitlist_offer_card, zone)
    )
    registry.register(notices.OFFER_LAPSED, card_renderer(notices.OfferLapsedNotice, build_offer_lapsed_card, zone))
    registry.register(notices.SESSION_MOVED, card_renderer(notices.SessionMovedNotice, build_session_moved_card, zone))
