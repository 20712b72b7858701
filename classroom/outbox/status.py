"""What operators see of the outbox (``outbox`` in chat, ``classroom-bot outbox status``), and retrying a
failed notification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import InvalidInput, NotFound
from classroom.outbox.queue import mark_enqueued
from storage.models import NotificationStatus, OutboxNotification

RETRYABLE_STATUSES = (NotificationStatus.DEAD, NotificationStatus.UNDELIVERABLE, NotificationStatus.CANCELLED)


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
