"""The coordinators' delivery view: an empty outbox, and one with waiting, failed and undeliverable messages."""

from __future__ import annotations

from datetime import timedelta

from classroom.outbox import outbox_summary
from classroom.outbox.notice import ErasedNotice
from dialogs.outbox.card import build_erased_card, build_outbox_status_card
from storage.models import NotificationStatus
from tests.support.card_samples import CardSample, SampleContext
from tests.support.notices import mark, queue_text

STATUS = build_outbox_status_card.__name__


async def samples(context: SampleContext) -> list[CardSample]:
    async with context.session_factory() as session:
        empty = await outbox_summary(session)
    async with context.session_factory.begin() as session:
        for n in range(3):
            await queue_text(
                session,
                f"reminder {n}",
                key=f"sample:{n}",
                due_at=context.now - timedelta(minutes=20),
                recipient=f"aad-{n}",
            )
        await mark(session, "sample:0", NotificationStatus.DEAD, "HTTP 400: the activity was rejected <b>bold</b>")
        await mark(session, "sample:1", NotificationStatus.UNDELIVERABLE, "HTTP 403: the bot was removed")
    async with context.session_factory() as session:
        busy = await outbox_summary(session)
    return [
        CardSample("outbox_status/empty", STATUS, build_outbox_status_card(empty, now=context.now, zone=context.zone)),
        CardSample(
            "outbox_status/failures", STATUS, build_outbox_status_card(busy, now=context.now, zone=context.zone)
        ),
        CardSample("outbox/erased", build_erased_card.__name__, build_erased_card(ErasedNotice(), context.zone)),
    ]
