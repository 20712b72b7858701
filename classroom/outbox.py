"""The notification outbox as the domain sees it: enqueue, cancel, inspect, retry.

Domain code never sends anything. It calls :func:`enqueue` inside the transaction of the change that causes
the message (an enquiry saved => its coordinator card queued), so one is never kept without the other; the
host's dispatcher delivers the row later. Every row carries a dedupe key that names the message for good
(``"enquiry-card:42"``, ``"reminder:run-7:session-3:24h"``): enqueueing the same key again is a no-op, which
makes retried requests and replayed Teams activities harmless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, case, false, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import InvalidInput, NotFound
from storage.base import utcnow
from storage.models import NotificationStatus, OutboxNotification
from storage.upsert import insert_for

# Set on the session when a row was queued; the host wakes its dispatcher after that session commits.
ENQUEUED_FLAG = "outbox.enqueued"

MAX_DEDUPE_KEY_LENGTH = 300
MAX_KIND_LENGTH = 64
RETRYABLE_STATUSES = (NotificationStatus.DEAD, NotificationStatus.UNDELIVERABLE, NotificationStatus.CANCELLED)


def _validate(
    kind: str,
    conversation_key: str | None,
    recipient: str | None,
    payload: dict[str, Any],
    due_at: datetime,
    dedupe_key: str,
) -> None:
    if (conversation_key is None) == (recipient is None):
        raise InvalidInput("give exactly one of conversation_key or recipient")
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise InvalidInput(f"kind must be 1-{MAX_KIND_LENGTH} characters")
    if not dedupe_key or len(dedupe_key) > MAX_DEDUPE_KEY_LENGTH:
        raise InvalidInput(f"dedupe_key must be 1-{MAX_DEDUPE_KEY_LENGTH} characters")
    if due_at.tzinfo is None:
        raise InvalidInput("due_at must be timezone-aware")
    try:
        json.dumps(payload)  # fail here, in the caller's code, rather than at flush or at delivery
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"payload is not JSON-serialisable: {error}") from error


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    payload: dict[str, Any],
    due_at: datetime,
    dedupe_key: str,
    conversation_key: str | None = None,
    recipient: str | None = None,
) -> bool:
    """Queue one notification in the caller's transaction (the caller commits).

    Args:
        kind: which renderer turns ``payload`` into a Teams activity (``"text"``, or a feature's card kind).
        payload: JSON data for the renderer; keep it small and self-contained.
        due_at: when it may be sent (timezone-aware); now or in the past means "as soon as possible".
        dedupe_key: names this message for good; a second enqueue with the same key does nothing.
        conversation_key: a stored conversation's id (a chat or channel the bot is installed in), or
        recipient: the Entra object id of a person, reached in their 1:1 chat with the bot.

    Returns:
        True when this call queued the row; False when the key was already queued (or sent).
        A key whose row was cancelled is re-planned with the new values, so features can cancel and
        re-enqueue reminders under the same keys.
    """
    _validate(kind, conversation_key, recipient, payload, due_at, dedupe_key)
    values = {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "conversation_key": conversation_key,
        "recipient_aad_object_id": recipient,
        "payload": payload,
        "status": NotificationStatus.PENDING,
        "due_at": due_at,
        "next_attempt_at": due_at,
    }
    statement = insert_for(session, OutboxNotification).values(**values)
    revived = {name: statement.excluded[name] for name in values if name != "dedupe_key"}
    # A revived row is a new message: fresh tries (attempts keeps counting claims), nothing sent yet.
    revived.update(
        superseded_attempts=OutboxNotification.attempts,
        activity_id=None,
        sent_conversation_id=None,
        lease_owner=None,
        lease_expires_at=None,
        last_error=None,
        updated_at=utcnow(),
    )
    statement = statement.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_=revived,
        where=OutboxNotification.status == NotificationStatus.CANCELLED,
    ).returning(OutboxNotification.id)
    queued = (await session.execute(statement)).first() is not None
    if queued:
        mark_enqueued(session)
    return queued


def mark_enqueued(session: AsyncSession) -> None:
    """Tell the dispatchers, when this transaction commits, that rows fell due (``bot/delivery/wake_on_commit``)."""
    session.info[ENQUEUED_FLAG] = True


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _has_dedupe_prefix() -> ColumnElement[bool]:
    key = OutboxNotification.__table__.c.dedupe_key
    first: BindParameter[str] = bindparam("prefix_first")
    after: BindParameter[str] = bindparam("prefix_after")
    return and_(key >= first, key < after, key.like(bindparam("prefix_like"), escape="\\"))


# Outbox rows whose dedupe key starts with a prefix (the parameters come from ``dedupe_prefix_params``), found
# through the key's unique index. A range on the key (the column compares byte by byte on both backends) lets
# the database walk the index; LIKE stays as the exact test. A LIKE alone reads the whole table, and the table
# keeps every sent row.
HAS_DEDUPE_PREFIX = _has_dedupe_prefix()


def checked_per_row(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition`` as a test of each row found some other way (by dedupe key), never as a way to find rows.

    SQLite keeps no statistics unless told to, so for ``status IN (...) AND <key range>`` it walks the status
    index, through every sent row the table keeps, rather than the key's range that finds a handful. The
    planner cannot use a CASE to find rows.
    """
    return case((condition, true()), else_=false())


def dedupe_prefix_params(prefix: str) -> dict[str, str]:
    """The parameters of ``HAS_DEDUPE_PREFIX`` for ``prefix``."""
    if not prefix:
        raise InvalidInput("an empty prefix would match everything")
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the first key past every key with this prefix
    return {"prefix_first": prefix, "prefix_after": after, "prefix_like": _escape_like(prefix) + "%"}


async def cancel_by_dedupe_prefix(session: AsyncSession, prefix: str) -> int:
    """Cancel every not-yet-sent notification whose dedupe key starts with ``prefix``.

    For features that re-plan (a session moved: cancel ``"reminder:run-7:"`` and enqueue the new ones).
    Rows already being sent are left alone: they may be on the wire; so are pending replacements of
    messages Teams already has (they carry an ``activity_id``). Returns how many were cancelled.
    """
    if not prefix:
        raise InvalidInput("an empty prefix would cancel everything")
    result = await session.execute(
        update(OutboxNotification)
        .where(
            HAS_DEDUPE_PREFIX,
            checked_per_row(OutboxNotification.status == NotificationStatus.PENDING),
            OutboxNotification.activity_id.is_(None),
        )
        .values(status=NotificationStatus.CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session=False),
        dedupe_prefix_params(prefix),
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NotificationView:
    """What an operator needs to see of one notification."""

    id: int
    kind: str
    target: str
    status: NotificationStatus
    attempts: int
    due_at: datetime
    updated_at: datetime
    last_error: str | None


@dataclass(frozen=True)
class OutboxSummary:
    counts: dict[NotificationStatus, int]
    oldest_due_pending: datetime | None  # the longest-waiting row still to send (a backlog signal)
    recent_failures: list[NotificationView]  # dead and undeliverable, newest first

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _view(row: OutboxNotification) -> NotificationView:
    target = row.conversation_key or f"person {row.recipient_aad_object_id}"
    return NotificationView(
        id=row.id,
        kind=row.kind,
        target=target,
        status=row.status,
        attempts=row.attempts - row.superseded_attempts,  # tries of what it sends now
        due_at=row.due_at,
        updated_at=row.updated_at,
        last_error=row.last_error,
    )


async def outbox_summary(session: AsyncSession, *, recent_limit: int = 10) -> OutboxSummary:
    """Counts by status, the oldest row still waiting, and the latest failures with their reasons."""
    counted = await session.execute(select(OutboxNotification.status, func.count()).group_by(OutboxNotification.status))
    counts = {status: 0 for status in NotificationStatus}
    counts.update({NotificationStatus(status): int(n) for status, n in counted.all()})
    oldest = await session.scalar(
        select(func.min(OutboxNotification.due_at)).where(
            OutboxNotification.status.in_([NotificationStatus.PENDING, NotificationStatus.SENDING])
        )
    )
    failed = await session.scalars(
        select(OutboxNotification)
        .where(OutboxNotification.status.in_([NotificationStatus.DEAD, NotificationStatus.UNDELIVERABLE]))
        .order_by(OutboxNotification.updated_at.desc(), OutboxNotification.id.desc())
        .limit(recent_limit)
    )
    return OutboxSummary(counts, oldest, [_view(row) for row in failed])


async def get_notification(session: AsyncSession, notification_id: int) -> NotificationView:
    row = await session.get(OutboxNotification, notification_id)
    if row is None:
        raise NotFound(f"no notification {notification_id}")
    return _view(row)


async def retry_notification(session: AsyncSession, notification_id: int, now: datetime) -> NotificationView:
    """Give a dead, undeliverable or cancelled notification a fresh set of attempts, due now.

    Raises:
        NotFound: no such notification.
        InvalidInput: it is pending, being sent or already sent, so a retry would mean a duplicate.
    """
    row = await session.get(OutboxNotification, notification_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no notification {notification_id}")
    if row.status not in RETRYABLE_STATUSES:
        raise InvalidInput(f"notification {notification_id} is {row.status.value}; only failed ones are retried")
    row.status = NotificationStatus.PENDING
    row.superseded_attempts = row.attempts  # fresh tries; attempts keeps counting claims (the claim token)
    row.next_attempt_at = now
    row.lease_owner = None
    row.lease_expires_at = None
    await session.flush()
    mark_enqueued(session)
    return _view(row)
