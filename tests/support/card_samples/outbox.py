"""The coordinators' delivery view: an empty outbox, and one with waiting, failed and undeliverable messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from classroom.outbox import TextNotice, enqueue, outbox_summary
from dialogs.outbox.card import build_outbox_status_card
from storage.models import NotificationStatus, OutboxNotification
from tests.support.card_samples import CardSample, SampleContext

STATUS = build_outbox_status_card.__name__


async def samples(context: SampleContext) -> list[CardSample]:
    async with context.session_factory() as session:
        empty = await outbox_summary(session)
    async with context.session_factory.begin() as session:
        for n in range(3):
            await enqueue(
                session,
                TextNotice(text=f"reminder {n}"),
                due_at=context.now - timedelta(minutes=20),
                dedupe_key=f"sample:{n}",
                recipient=f"aad-{n}",
            )
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.dedupe_key == "sample:0")
            .values(status=NotificationStatus.DEAD, last_error="HTTP 400: the activity was rejected <b>bold</b>")
        )
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.dedupe_key == "sample:1")
            .values(status=NotificationStatus.UNDELIVERABLE, last_error="HTTP 403: the bot was removed")
        )
    async with context.session_factory() as session:
        busy = await outbox_summary(session)
    return [
        CardSample("outbox_status/empty", STATUS, build_outbox_status_card(empty, now=context.now, zone=context.zone)),
        CardSample(
            "outbox_status/failures", STATUS, build_outbox_status_card(busy, now=context.now, zone=context.zone)
        ),
    ]
