"""Notifications that waited for a person's 1:1 chat: due again as soon as the bot can reach them.

A notification addressed to a person is undeliverable when the bot has no chat it can write to them in: they
had not installed the app yet (Teams refused to open a chat), or they removed or blocked it. Installing the app,
or writing to the bot, changes that, and ``deliver_waiting`` makes those rows due at once with fresh tries, in
the transaction that stores the chat (``classroom/conversations.py``). Rows due longer ago than
``WAITING_LIMIT`` stay given up: a week-old card is news nobody expects; ``outbox retry`` still sends one.
Rows past their ``expires_at`` (a reminder whose session has started) stay given up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Exists, Select, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from classroom.outbox.queue import mark_enqueued
from classroom.transactions import on_session_connection
from storage.base import UtcDateTime
from storage.direct_statements import DirectStatement
from storage.models import NotificationStatus, OutboxNotification

WAITING_LIMIT = timedelta(days=7)

_OUTBOX = OutboxNotification.__table__.c
_NOW = bindparam("now", type_=UtcDateTime())
# Built once; found through the status index (few rows are undeliverable), the rest checked per row.
_DELIVER_WAITING = DirectStatement(
    update(OutboxNotification.__table__)  # type: ignore[arg-type]
    .where(
        _OUTBOX.status == NotificationStatus.UNDELIVERABLE,
        _OUTBOX.recipient_aad_object_id == bindparam("recipient"),
        _OUTBOX.due_at >= bindparam("since", type_=UtcDateTime()),
        or_(_OUTBOX.expires_at.is_(None), _OUTBOX.expires_at > _NOW),  # a reminder for a session now past is no news
    )
    .values(
        status=NotificationStatus.PENDING,
        next_attempt_at=_NOW,
        superseded_attempts=_OUTBOX.attempts,  # fresh tries; attempts keeps counting claims (the claim token)
        lease_owner=None,
        lease_expires_at=None,
        updated_at=_NOW,
    )
)


def _waiting_for(recipient: BindParameter[str], since: BindParameter[datetime], now: BindParameter[datetime]) -> Select:
    return (
        select(OutboxNotification.id)
        .where(
            OutboxNotification.status == NotificationStatus.UNDELIVERABLE,
            OutboxNotification.recipient_aad_object_id == recipient,
            OutboxNotification.due_at >= since,
            or_(OutboxNotification.expires_at.is_(None), OutboxNotification.expires_at > now),
        )
        .limit(1)
    )


_WAITING_FOR = _waiting_for(bindparam("recipient"), bindparam("since", type_=UtcDateTime()), _NOW)


def waiting_for(recipient: BindParameter[str], now: BindParameter[datetime]) -> Exists:
    """Whether :func:`deliver_waiting` would make anything due, as a condition for a caller's own read (``now``
    bound to a time: :func:`waiting_since` gives the parameters)."""
    since = bindparam(f"{now.key}_waiting_since", type_=UtcDateTime())
    return _waiting_for(recipient, since, now).exists()


def waiting_since(now: BindParameter[datetime], at: datetime) -> dict[str, datetime]:
    """The parameter values of :func:`waiting_for` at time ``at``."""
    return {now.key: at, f"{now.key}_waiting_since": at - WAITING_LIMIT}


async def anything_waiting(session: AsyncSession, recipient: str, now: datetime) -> bool:
    """Whether :func:`deliver_waiting` would make anything due for ``recipient``."""
    parameters = {"recipient": recipient, "since": now - WAITING_LIMIT, "now": now}
    return (await session.execute(_WAITING_FOR, parameters)).first() is not None


async def deliver_waiting(session: AsyncSession, recipient: str, now: datetime) -> int:
    """Make the notifications given up for want of a chat with ``recipient`` due now, in the caller's
    transaction; returns how many (the dispatchers are woken when it commits)."""
    return await on_session_connection(session, lambda connection: deliver_waiting_on(connection, recipient, now))


def deliver_waiting_on(connection: Connection, recipient: str, now: datetime) -> int:
    """:func:`deliver_waiting` from synchronous code, on the connection of ``classroom.transactions``'
    ``in_transaction_on`` (or ``on_session_connection``), whose commit wakes the dispatchers."""
    parameters = {"recipient": recipient, "since": now - WAITING_LIMIT, "now": now}
    waiting = _DELIVER_WAITING.execute(connection, parameters).rowcount
    if waiting:
        mark_enqueued(connection)
    return waiting
