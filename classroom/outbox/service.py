"""``OutboxService``: the operators' view of delivery and retrying failed notifications, each in its own
transaction (the chat command and the command line use the same calls)."""

from __future__ import annotations

from classroom.clock import Clock
from classroom.outbox.status import (
    NotificationView,
    OutboxSummary,
    get_notification,
    outbox_summary,
    retry_notification,
)
from classroom.transactions import SessionFactory, in_transaction


class OutboxService:
    def __init__(self, session_factory: SessionFactory, clock: Clock) -> None:
        self._session_factory = session_factory
        self._clock = clock

    async def summary(self, *, recent_limit: int = 10) -> OutboxSummary:
        """Counts by status, the oldest row still waiting, and the latest failures with their reasons."""
        return await in_transaction(self._session_factory, lambda s: outbox_summary(s, recent_limit=recent_limit))

    async def notification(self, notification_id: int) -> NotificationView:
        """One notification; raises NotFound."""
        return await in_transaction(self._session_factory, lambda s: get_notification(s, notification_id))

    async def retry(self, notification_id: int) -> NotificationView:
        """A dead, undeliverable or cancelled notification goes again, with fresh tries; raises NotFound,
        InvalidInput (it is not a failed one)."""
        now = self._clock.now()
        return await in_transaction(self._session_factory, lambda s: retry_notification(s, notification_id, now))
