"""The coordinators' daily digest on a fake clock: what it lists, working days (weekends skipped), and once a
day however many bot processes fire it (two schedulers and two dispatchers on one database)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from bot.assembly import build_renderers
from bot.delivery.dispatcher import DispatcherConfig, OutboxDispatcher
from bot.delivery.rate_limiter import RateLimiter, RateLimits
from bot.delivery.scheduler import DeliveryScheduler
from bot.features import FEATURES
from bot.settings import Settings
from classroom.coordinators import set_coordinators_conversation
from classroom.enquiries.actions import Actor, assign_to_self, close, reply
from classroom.enquiries.digest import DIGEST_JOB_NAME, Digest, digest_job, enqueue_digest
from classroom.enquiries.working_days import add_working_days, previous_working_day, working_days_between
from dialogs.enquiries.cards.digest import build_enquiry_digest_card
from dialogs.registry import FeatureRegistry
from storage.models import ConversationRecord, OutboxNotification
from tests.delivery.helpers import connector_client
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import (
    COORDINATOR_AAD,
    COORDINATOR_NAME,
    COORDINATORS_CHAT,
    COORDINATORS_ONLY,
    conversation_record,
    make_coordinator,
    store_conversations,
    submitted,
)
from tests.support.fake_connector import FakeConnector

LONDON = ZoneInfo("Europe/London")
ADELE = Actor(COORDINATOR_AAD, COORDINATOR_NAME)
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 09:00 GMT
DRAIN_BOUND = 60  # seconds: a safety net against a hang, not a timing assertion


def london(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def test_working_days_skip_the_weekend() -> None:
    assert add_working_days(london(20, 16), 2, LONDON) == london(24, 16)  # Fri 16:00 -> Tue 16:00
    assert add_working_days(london(21, 10), 2, LONDON) == london(25, 0)  # Sat -> counts from Mon 00:00
    assert add_working_days(london(18, 10), 1, LONDON) == london(19, 10)  # Wed -> Thu
    # Across the end of summer time the wall-clock time stays: Fri 23 Oct 10:00 BST -> Tue 27 Oct 10:00 GMT.
    assert add_working_days(london(23, 10, month=10), 2, LONDON) == london(27, 10, month=10)
    assert working_days_between(london(20, 16), london(24, 15, 59), LONDON) == 1
    assert working_days_between(london(20, 16), london(24, 16), LONDON) == 2
    assert working_days_between(london(21, 10), london(23, 23), LONDON) == 0
    assert previous_working_day(london(23, 9), LONDON) == london(20, 9)  # Monday -> Friday


def test_the_digest_is_scheduled_on_working_days_at_the_configured_time() -> None:
    trigger = CronTrigger.from_crontab(Settings().enquiry_digest_cron, timezone=LONDON)
    fires, moment = [], london(20, 9, 1)  # Friday, just after the digest
    for _ in range(3):
        moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        fires.append(moment)
    assert [f.strftime("%a %H:%M") for f in fires] == ["Mon 09:00", "Tue 09:00", "Wed 09:00"]
    summer = CronTrigger.from_crontab(Settings(enquiry_digest_time="08:30").enquiry_digest_cron, timezone=LONDON)
    fire = summer.get_next_fire_time(None, datetime(2027, 6, 4, 12, 0, tzinfo=UTC))  # a Friday in June
    assert fire.astimezone(UTC) == datetime(2027, 6, 7, 7, 30, tzinfo=UTC)  # Monday 08:30 BST


@pytest.fixture
async def coordinators_chat(session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory)
    await store_conversations(session_factory, conversation_record(COORDINATORS_CHAT, "groupChat"))
    async with session_factory.begin() as session:
        await set_coordinators_conversation(
            session, COORDINATORS_CHAT, by=COORDINATOR_AAD, now=clock.now(), members=COORDINATORS_ONLY
        )


async def digests(session_factory) -> list[OutboxNotification]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxNotification)
                    .where(OutboxNotification.kind == "enquiries.digest")
                    .order_by(OutboxNotification.id)
                )
            ).all()
        )


async def test_digest_content_oldest_first_with_overdue_on_working_days(
    session_factory, clock, coordinators_chat
) -> None:
    overdue = await submitted(session_factory, london(18, 10), "wed")  # 2 working days passed on Friday 10:00
    friday = await submitted(session_factory, london(20, 15), "fri")  # due Tue 15:00: the weekend doesn't count
    weekend = await submitted(session_factory, london(21, 11), "sat")
    answered = await submitted(session_factory, london(16, 9), "answered")  # old, but we replied
    closed = await submitted(session_factory, london(22, 12), "closed")
    async with session_factory.begin() as session:
        await assign_to_self(session, friday.id, ADELE, now=london(20, 16))
        await reply(session, answered.id, ADELE, "Here you are", now=london(17, 9))
        await close(session, closed.id, ADELE, now=london(22, 13))

    async with session_factory.begin() as session:
        await enqueue_digest(session, now=MONDAY_9, zone=LONDON, overdue_after=2)
    [row] = await digests(session_factory)
    assert (row.conversation_key, row.dedupe_key) == (COORDINATORS_CHAT, "enquiry-digest:2026-11-23:chat")
    digest = Digest.from_payload(row.payload)
    refs = {e.id: e.reference for e in (overdue, friday, weekend, answered, closed)}

    def listed(section) -> list[str]:  # type: ignore[no-untyped-def]
        return [line.reference for line in section.lines]

    assert digest.since == london(20, 9)  # no digest ran before: the previous working day at this time
    assert listed(digest.new) == [refs[friday.id], refs[weekend.id], refs[closed.id]]
    assert listed(digest.open) == [refs[answered.id], refs[overdue.id], refs[friday.id], refs[weekend.id]]
    assert listed(digest.unassigned) == [refs[overdue.id], refs[weekend.id]]
    assert listed(digest.overdue) == [refs[overdue.id]]
    assert digest.overdue.lines[0].overdue_since == london(20, 10)
    assert (digest.new.total, digest.open.total, digest.unassigned.total, digest.overdue.total) == (3, 4, 2, 1)

    text = build_enquiry_digest_card(Digest.from_payload(row.payload), LONDON).fallback_text
    assert "Enquiries digest · Monday 23 November 2026" in text
    assert "Overdue (no reply for 2 working days): 1" in text
    assert "overdue since Fri 20 Nov 2026, 10:00 GMT" in text


async def test_an_empty_digest_says_all_clear_and_weekends_get_none(session_factory, clock, coordinators_chat) -> None:
    saturday = MONDAY_9 - timedelta(days=2)
    async with session_factory.begin() as session:
        assert await enqueue_digest(session, now=saturday, zone=LONDON, overdue_after=2) == []
        await enqueue_digest(session, now=MONDAY_9, zone=LONDON, overdue_after=2)
    [row] = await digests(session_factory)
    assert Digest.from_payload(row.payload).empty
    text = build_enquiry_digest_card(Digest.from_payload(row.payload), LONDON).fallback_text
    assert "All clear" in text


async def test_long_lists_show_the_oldest_and_count_the_rest(session_factory, clock, coordinators_chat) -> None:
    for i in range(8):
        await submitted(session_factory, london(16, 9) + timedelta(hours=i), f"e{i}")
    async with session_factory.begin() as session:
        await enqueue_digest(session, now=MONDAY_9, zone=LONDON, overdue_after=2)
    digest = Digest.from_payload((await digests(session_factory))[0].payload)
    assert digest.open.total == 8 and [line.reference for line in digest.open.lines] == [
        f"ENQ-2026-{n:04d}" for n in range(1, 6)
    ]
    text = build_enquiry_digest_card(digest, LONDON).fallback_text
    assert "… and 3 more." in text


async def test_once_a_day_with_two_schedulers_and_two_dispatchers(session_factory, clock, coordinators_chat) -> None:
    """Two bot processes fire the same digest at 09:00: one runs it, one message reaches the chat; the next
    working day there is a new one, counting as new only what came after the first."""
    async with FakeConnector(prefix="") as teams:
        async with session_factory.begin() as session:
            record = await session.scalar(select(ConversationRecord))
            record.service_url = teams.service_url
        await submitted(session_factory, london(20, 15), "friday")
        clock.set(MONDAY_9)
        cron = Settings().enquiry_digest_cron

        def replica(name: str) -> DeliveryScheduler:
            scheduler = DeliveryScheduler(
                session_factory=session_factory,
                clock=clock,
                zone=LONDON,
                owner=name,
                wake=lambda: None,
                tick_seconds=60,
            )
            scheduler.add_periodic_job(DIGEST_JOB_NAME, cron, digest_job(clock, LONDON, overdue_after=2))
            return scheduler

        first, second = replica("bot-1"), replica("bot-2")
        ran = await asyncio.gather(first.run_periodic(DIGEST_JOB_NAME), second.run_periodic(DIGEST_JOB_NAME))
        assert sorted(ran) == [False, True]
        clock.advance(timedelta(minutes=40))  # a late firing of the same day's schedule runs nothing
        assert await first.run_periodic(DIGEST_JOB_NAME) is False
        assert len(await digests(session_factory)) == 1

        async with aiohttp.ClientSession() as http:
            renderers = build_renderers(FeatureRegistry(FEATURES), LONDON)
            dispatchers = [
                OutboxDispatcher(
                    session_factory,
                    connector_client(http),
                    renderers,
                    RateLimiter(RateLimits()),
                    clock=clock,
                    config=DispatcherConfig(min_idle=0.02, max_idle=1.0),
                )
                for _ in range(2)
            ]
            for dispatcher in dispatchers:
                await dispatcher.start()
            try:
                async with asyncio.timeout(DRAIN_BOUND):
                    await dispatchers[0].drained()
            finally:
                for dispatcher in dispatchers:
                    await dispatcher.stop()
        shown = [m["attachments"][0]["content"]["fallbackText"] for m in teams.sent_to(COORDINATORS_CHAT)]
        [digest_message] = [text for text in shown if text.startswith("Enquiries digest")]
        assert "Enquiries digest · Monday 23 November 2026" in digest_message and "ENQ-2026-0001" in digest_message
        assert len(shown) == 2  # the enquiry's own card, and one digest

        await submitted(session_factory, MONDAY_9 + timedelta(hours=3), "monday")
        clock.set(MONDAY_9 + timedelta(days=1))
        assert await second.run_periodic(DIGEST_JOB_NAME) is True
        tuesday = Digest.from_payload((await digests(session_factory))[-1].payload)
        assert tuesday.since == MONDAY_9 and [line.reference for line in tuesday.new.lines] == ["ENQ-2026-0002"]
