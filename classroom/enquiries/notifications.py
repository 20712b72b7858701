"""The messages enquiries cause, as outbox rows: their kinds, dedupe keys and payloads.

- ``enquiry_card``: the coordinators' card, one copy per coordinator target (``enquiry-card:<id>:<target>``).
  The row stays the copy's record after it is sent (with Teams' message id): when the enquiry changes, the
  row is due again with the new card, and the dispatcher replaces the message Teams shows.
- ``enquiry_reply``: a coordinator's reply, to the enquirer's 1:1 chat.
- ``enquiry_followup``: the enquirer wrote back; tells the coordinators.
- ``enquiry_digest``: the daily summary (see ``digest``).

The host renders each kind (``bot/notification_renderers/enquiries.py``) from the payload alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.coordinators import NotifiedTarget, notify_coordinators
from classroom.enquiries.views import EnquiryView
from classroom.outbox import dedupe_key_prefix, enqueue, mark_enqueued
from storage.models import NotificationStatus, OutboxNotification

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


async def refresh_cards(session: AsyncSession, view: EnquiryView, *, now: datetime) -> int:
    """Every copy of the card shows the enquiry as it is now; returns how many copies will be (re)sent.

    Copies not sent yet go out with the new card; a copy on the wire right now is sent again with it as soon
    as that send is recorded. Copies Teams has (and copies whose last replacement failed) are due again: the
    dispatcher replaces each message (``PUT``) once this transaction commits, within Teams' rate limits,
    retried like any notification; several changes before it gets there become one update.
    """
    copies = dedupe_key_prefix(card_key_prefix(view.id))
    payload = view.to_payload()
    Row = OutboxNotification
    unsent = await session.execute(
        update(Row)
        .where(copies, Row.status.in_([NotificationStatus.PENDING, NotificationStatus.SENDING]))
        .values(payload=payload, changed_while_sending=Row.status == NotificationStatus.SENDING, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    sent = await session.execute(
        update(Row)
        .where(
            copies,
            Row.status.in_([NotificationStatus.SENT, NotificationStatus.DEAD]),
            Row.activity_id.is_not(None),
            Row.sent_conversation_id.is_not(None),
        )
        .values(
            payload=payload,
            status=NotificationStatus.PENDING,
            due_at=now,
            next_attempt_at=now,
            superseded_attempts=Row.attempts,  # fresh tries; attempts itself keeps counting claims
            last_error=None,
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if sent.rowcount:  # type: ignore[attr-defined]
        mark_enqueued(session)  # wake the dispatchers when this commits
    return int(unsent.rowcount) + int(sent.rowcount)  # type: ignore[attr-defined]


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
