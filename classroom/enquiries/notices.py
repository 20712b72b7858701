"""The messages enquiries cause, as outbox rows: their kinds, typed payloads and dedupe keys.

- ``enquiries.card``: the coordinators' card, one copy per coordinator target (``enquiry-card:<id>:<target>``).
  The row stays the copy's record after it is sent (with Teams' message id): when the enquiry changes, every
  copy is replaced with the new card (``classroom.outbox.replace_copies``).
- ``enquiries.reply``: a coordinator's reply, to the enquirer's 1:1 chat.
- ``enquiries.followup``: the enquirer wrote back; tells the coordinators.
- ``enquiries.digest``: the daily summary (``digest.Digest``).

The host renders each kind (``dialogs/enquiries/notifications.py``) from the payload alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.coordinators import NotifiedTarget, notify_coordinators
from classroom.enquiries.views import EnquiryView
from classroom.outbox import Notice, enqueue, replace_copies, replace_copies_on
from storage.models import EnquiryKind

CARD = "enquiries.card"
REPLY = "enquiries.reply"
FOLLOWUP = "enquiries.followup"
DIGEST = "enquiries.digest"


class EnquiryCardNotice(Notice):
    KIND: ClassVar[str] = CARD
    enquiry: EnquiryView


class _EnquiryMessage(Notice):
    """Someone wrote about an enquiry: what, when, and which enquiry."""

    enquiry_id: int
    reference: str
    text: str
    at: datetime


class EnquiryReplyNotice(_EnquiryMessage):
    """A coordinator's reply, for the enquirer."""

    KIND: ClassVar[str] = REPLY
    kind: EnquiryKind
    from_name: str


class EnquiryFollowupNotice(_EnquiryMessage):
    """The enquirer wrote back, for the coordinators."""

    KIND: ClassVar[str] = FOLLOWUP
    enquirer_name: str
    reopened: bool


def card_key_prefix(enquiry_id: int) -> str:
    return f"enquiry-card:{enquiry_id}:"


async def queue_coordinator_card(session: AsyncSession, view: EnquiryView, *, now: datetime) -> list[NotifiedTarget]:
    return await notify_coordinators(
        session, EnquiryCardNotice(enquiry=view), dedupe_key=f"enquiry-card:{view.id}", due_at=now
    )


async def refresh_cards(session: AsyncSession, view: EnquiryView, *, now: datetime) -> int:
    """Every copy of the enquiry's card shows it as it is now; returns how many copies will be (re)sent."""
    return await replace_copies(session, card_key_prefix(view.id), EnquiryCardNotice(enquiry=view), now=now)


def refresh_cards_on(connection: Connection, view: EnquiryView, *, now: datetime) -> int:
    """:func:`refresh_cards` from synchronous code, on the connection of the work of ``in_transaction_on`` (or
    ``on_session_connection``)."""
    return replace_copies_on(connection, card_key_prefix(view.id), EnquiryCardNotice(enquiry=view), now=now)


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
    notice = EnquiryReplyNotice(
        enquiry_id=view.id, reference=view.reference, text=text, at=at, kind=view.kind, from_name=from_name
    )
    return await enqueue(session, notice, due_at=at, dedupe_key=f"enquiry-reply:{event_id}", recipient=recipient)


async def queue_followup(
    session: AsyncSession, view: EnquiryView, *, event_id: int, text: str, at: datetime, reopened: bool
) -> list[NotifiedTarget]:
    by, reference = view.enquirer_name, view.reference
    notice = EnquiryFollowupNotice(
        enquiry_id=view.id, reference=reference, text=text, at=at, enquirer_name=by, reopened=reopened
    )
    return await notify_coordinators(session, notice, dedupe_key=f"enquiry-followup:{event_id}", due_at=at)
