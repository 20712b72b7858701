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
from typing import Any

from sqlalchemy import ColumnElement, Update, and_, bindparam, case, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.coordinators import NotifiedTarget, notify_coordinators
from classroom.enquiries.views import EnquiryView
from classroom.outbox import HAS_DEDUPE_PREFIX, checked_per_row, dedupe_prefix_params, enqueue, mark_enqueued
from storage.base import UtcDateTime
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


def _refresh_cards_statement() -> Update:
    outbox = OutboxNotification.__table__.c
    status, now = outbox.status, bindparam("now", type_=UtcDateTime())
    # Equalities, not IN lists: SQLAlchemy rewrites an IN list's SQL at every execution.
    unsent = or_(status == NotificationStatus.PENDING, status == NotificationStatus.SENDING)
    teams_has_it = and_(
        or_(status == NotificationStatus.SENT, status == NotificationStatus.DEAD),
        outbox.activity_id.is_not(None),
        outbox.sent_conversation_id.is_not(None),
    )

    def when_teams_has_it(value: Any, otherwise: ColumnElement[Any]) -> ColumnElement[Any]:
        return case((teams_has_it, value), else_=otherwise)

    return (
        update(OutboxNotification.__table__)  # type: ignore[arg-type]
        .where(HAS_DEDUPE_PREFIX, checked_per_row(or_(unsent, teams_has_it)))
        .values(
            payload=bindparam("payload"),
            changed_while_sending=status == NotificationStatus.SENDING,
            status=when_teams_has_it(NotificationStatus.PENDING, status),
            due_at=when_teams_has_it(now, outbox.due_at),
            next_attempt_at=when_teams_has_it(now, outbox.next_attempt_at),
            # Fresh tries for the replacement; attempts itself keeps counting claims (the claim token).
            superseded_attempts=when_teams_has_it(outbox.attempts, outbox.superseded_attempts),
            last_error=when_teams_has_it(None, outbox.last_error),
            lease_owner=when_teams_has_it(None, outbox.lease_owner),
            lease_expires_at=when_teams_has_it(None, outbox.lease_expires_at),
            updated_at=now,
        )
    )


# Built once: this runs on every button a coordinator presses, and building it costs more than running it.
_REFRESH_CARDS = _refresh_cards_statement()


async def refresh_cards(session: AsyncSession, view: EnquiryView, *, now: datetime) -> int:
    """Every copy of the card shows the enquiry as it is now; returns how many copies will be (re)sent.

    Copies not sent yet go out with the new card; a copy on the wire right now is sent again with it as soon
    as that send is recorded. Copies Teams has (and copies whose last replacement failed) are due again: the
    dispatcher replaces each message (``PUT``) once this transaction commits, within Teams' rate limits,
    retried like any notification; several changes before it gets there become one update.
    """
    parameters = {"payload": view.to_payload(), "now": now, **dedupe_prefix_params(card_key_prefix(view.id))}
    copies = int((await session.execute(_REFRESH_CARDS, parameters)).rowcount)  # type: ignore[attr-defined]
    if copies:
        mark_enqueued(session)  # wake the dispatchers when this commits
    return copies


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
