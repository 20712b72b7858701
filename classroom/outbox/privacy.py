"""The personal data of the outbox: the messages the bot sent or will send a person, and copies of their words or
name in messages to others (a coordinator's card of their enquiry, a trainer's card of their clash)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.personal_data import Erasure, PersonalData, Retention, Section, Subject
from classroom.privacy.retention import FINISHED_NOTIFICATIONS
from storage.models import NotificationStatus, OutboxNotification

FINISHED = (
    NotificationStatus.SENT,
    NotificationStatus.DEAD,
    NotificationStatus.UNDELIVERABLE,
    NotificationStatus.CANCELLED,
)


class OutboxData(PersonalData):
    tables: ClassVar = {
        "outbox": frozenset(
            {"recipient_aad_object_id", "payload", "conversation_key", "sent_conversation_id", "last_error"}
        ),
    }
    not_personal: ClassVar = {"outbox": frozenset({"dedupe_key", "kind", "lease_owner", "activity_id"})}

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        rows = (
            await session.scalars(
                select(OutboxNotification)
                .where(OutboxNotification.recipient_aad_object_id == subject.aad_object_id)
                .order_by(OutboxNotification.due_at)
            )
        ).all()
        if not rows:
            return None
        sent = sum(1 for r in rows if r.status == NotificationStatus.SENT)
        waiting = sum(1 for r in rows if r.status == NotificationStatus.PENDING)
        lines = (f"Messages to you: {sent} sent, {waiting} waiting, {len(rows) - sent - waiting} not delivered",)
        data = [
            {"kind": r.kind, "status": r.status.value, "due_at": r.due_at, "sent_at": r.sent_at, "content": r.payload}
            for r in rows
        ]
        return Section("Messages from the bot", lines, data)

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        markers = erasure.markers
        addressed = or_(
            OutboxNotification.recipient_aad_object_id == erasure.subject.aad_object_id,
            OutboxNotification.conversation_key.in_(markers | erasure.exact),  # their 1:1 chat
        )
        doomed = set((await session.scalars(select(OutboxNotification.id).where(addressed))).all())
        # Messages to others that carry the person's name or words: the payload is JSON, searched as the
        # application reads it (both databases store it differently).
        rows = await session.execute(select(OutboxNotification.id, OutboxNotification.payload))
        doomed.update(row_id for row_id, payload in rows.all() if erasure.mentions(payload))
        if doomed:
            await session.execute(delete(OutboxNotification).where(OutboxNotification.id.in_(doomed)))
        return {"messages deleted": len(doomed)} if doomed else {}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        before = now - retention.period(FINISHED_NOTIFICATIONS)
        result = await session.execute(
            delete(OutboxNotification).where(
                OutboxNotification.status.in_(FINISHED), OutboxNotification.updated_at < before
            )
        )
        return {FINISHED_NOTIFICATIONS: int(result.rowcount)}  # type: ignore[attr-defined]
