"""The messages enquiries cause, as outbox rows: their kinds, dedupe keys and payloads.

- ``enquiry_card``: the coordinators' card, one copy per coordinator target (``enquiry-card:<id>:<target>``).
- ``enquiry_reply``: a coordinator's reply, to the enquirer's 1:1 chat.
- ``enquiry_followup``: the enquirer wrote back; tells the coordinators.
- ``enquiry_digest``: the daily summary (see ``digest``).

The host renders each kind (``bot/notification_renderers/enquiries.py``) from the payload alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.coordinators import NotifiedTarget, notify_coordinators
from classroom.enquiries.views import EnquiryView
from classroom.outbox import enqueue
from storage.base import utcnow
from storage.models import ConversationRecord, NotificationStatus, OutboxNotification

ENQUIRY_CARD = "enquiry_card"
ENQUIRY_REPLY = "enquiry_reply"
ENQUIRY_FOLLOWUP = "enquiry_followup"
ENQUIRY_DIGEST = "enquiry_digest"
KINDS = (ENQUIRY_CARD, ENQUIRY_REPLY, ENQUIRY_FOLLOWUP, ENQUIRY_DIGEST)


def card_key_prefix(enquiry_id: int) -> str:
    return f"enquiry-card:{enquiry_id}:"


async def queue_coordinator_card(session: AsyncSession, view: EnquiryView, *, now: datetime) -> list[NotifiedTarget]:
    return await notify_coordinators(
        session, kind=ENQUIRY_CARD, payload=view.to_payload(), dedupe_key=f"enquiry-card:{view.id}", due_at=now
    )


async def refresh_pending_cards(session: AsyncSession, view: EnquiryView) -> int:
    """Copies of the card not sent yet go out showing the enquiry as it is now, not as it was when queued."""
    prefix = card_key_prefix(view.id)
    result = await session.execute(
        update(OutboxNotification)
        .where(
            OutboxNotification.dedupe_key.startswith(prefix, autoescape=True),
            OutboxNotification.status == NotificationStatus.PENDING,
        )
        .values(payload=view.to_payload(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def queue_reply_to_enquirer(
    session: AsyncSession,
    view: EnquiryView,
    *,
    recipient: str,
    event_id: int,
    from_name: str,
    text: str,
    at: datetime,
) -> bool:
    payload = {
        "enquiry_id": view.id,
        "reference": view.reference,
        "kind": view.kind.value,
        "from_name": from_name,
        "text": text,
        "at": at.isoformat(),
    }
    return await enqueue(
        session,
        kind=ENQUIRY_REPLY,
        payload=payload,
        due_at=at,
        dedupe_key=f"enquiry-reply:{event_id}",
        recipient=recipient,
    )


async def queue_followup(
    session: AsyncSession, view: EnquiryView, *, event_id: int, text: str, at: datetime, reopened: bool
) -> list[NotifiedTarget]:
    payload = {
        "enquiry_id": view.id,
        "reference": view.reference,
        "enquirer_name": view.enquirer_name,
        "text": text,
        "at": at.isoformat(),
        "reopened": reopened,
    }
    return await notify_coordinators(
        session, kind=ENQUIRY_FOLLOWUP, payload=payload, dedupe_key=f"enquiry-followup:{event_id}", due_at=at
    )


@dataclass(frozen=True)
class SentCard:
    """A copy of the coordinators' card that Teams has: where it is and its message id, to update it."""

    conversation_id: str
    activity_id: str
    service_url: str
    reference: dict[str, Any]


async def sent_cards(session: AsyncSession, enquiry_id: int) -> list[SentCard]:
    rows = await session.execute(
        select(
            OutboxNotification.sent_conversation_id,
            OutboxNotification.activity_id,
            ConversationRecord.service_url,
            ConversationRecord.reference,
        )
        .join(
            ConversationRecord,
            and_(
                ConversationRecord.conversation_id == OutboxNotification.sent_conversation_id,
                ConversationRecord.installed.is_(True),
            ),
        )
        .where(
            OutboxNotification.dedupe_key.startswith(card_key_prefix(enquiry_id), autoescape=True),
            OutboxNotification.status == NotificationStatus.SENT,
            OutboxNotification.activity_id.is_not(None),
        )
        .order_by(OutboxNotification.id)
    )
    return [
        SentCard(conversation, activity, service_url, reference or {})
        for conversation, activity, service_url, reference in rows.all()
    ]
