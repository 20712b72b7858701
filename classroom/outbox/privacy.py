"""The personal data of the outbox: the messages the bot sent or will send a person, and copies of their words or
name in messages to others (a coordinator's card of their enquiry, a trainer's card of their clash)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.outbox.notice import ErasedNotice
from classroom.outbox.queue import mark_enqueued
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
        rows = await session.execute(
            select(OutboxNotification.id, OutboxNotification.payload, OutboxNotification.activity_id)
        )
        in_teams: set[int] = set()
        for row_id, payload, activity_id in rows.all():
            if row_id not in doomed and erasure.mentions(payload):
                (in_teams if activity_id is not None else doomed).add(row_id)
        if doomed:
            await session.execute(delete(OutboxNotification).where(OutboxNotification.id.in_(doomed)))
        if in_teams:  # cards others already have (a coordinator's enquiry card): replaced in their chats
            await _replace_with_erased(session, in_teams, erasure.now)
        counts = {"messages deleted": len(doomed), "messages in others' chats replaced": len(in_teams)}
        return {what: count for what, count in counts.items() if count}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        before = now - retention.period(FINISHED_NOTIFICATIONS)
        result = await session.execute(
            delete(OutboxNotification).where(
                OutboxNotification.status.in_(FINISHED), OutboxNotification.updated_at < before
            )
        )
        return {FINISHED_NOTIFICATIONS: int(result.rowcount)}  # type: ignore[attr-defined]


async def _replace_with_erased(session: AsyncSession, row_ids: set[int], now: datetime) -> None:
    """The rows' messages in Teams are replaced (``PUT``, by the dispatcher, within Teams' limits) with a card that
    says only that it was erased; the rows keep nothing of the person."""
    outbox = OutboxNotification.__table__.c
    await session.execute(
        update(OutboxNotification.__table__)  # type: ignore[arg-type]
        .where(outbox.id.in_(row_ids))
        .values(
            kind=ErasedNotice.KIND,
            payload=ErasedNotice().payload(),
            status=NotificationStatus.PENDING,
            due_at=now,
            next_attempt_at=now,
            superseded_attempts=outbox.attempts,  # fresh tries for the replacement
            last_error=None,
            lease_owner=None,
            lease_expires_at=None,
            expires_at=None,
            updated_at=now,
        )
    )
    mark_enqueued(session)
