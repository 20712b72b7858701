"""The dispatcher against a connector that enforces Teams' limits and injects faults: every deliverable
notification arrives exactly once, the undeliverable and dead ones are marked with their reasons, and the
connector never had to throttle us for exceeding a limit."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.renderers import RendererRegistry, render_text
from bot.delivery.wake_on_commit import wake_on_commit
from classroom.outbox import enqueue
from classroom.outbox.claims import ClaimedNotification
from storage.models import ConversationRecord, NotificationStatus, OutboxNotification
from tests.delivery.conftest import TEST_CONFIG, MakeDispatcher
from tests.delivery.helpers import conversation, queue_texts, store_conversations
from tests.support.notices import notice_of, queue_text
from tests.support.throttling_connector import CREATE_KEY, ThrottlingConnector

DRAIN_BOUND = 120  # seconds; a safety net against a hang, not a timing assertion


async def outbox(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, OutboxNotification]:
    async with session_factory() as session:
        return {row.dedupe_key: row for row in await session.scalars(select(OutboxNotification))}


async def installed(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, bool]:
    async with session_factory() as session:
        rows = await session.execute(select(ConversationRecord.conversation_id, ConversationRecord.installed))
        return dict(rows.all())


async def test_every_deliverable_arrives_once_through_faults_and_limits(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    connector = throttling_connector
    url = connector.service_url
    faults = {
        "c-429-after": ["429:0.3"],  # throttled with Retry-After
        "c-429": ["429", "429"],  # throttled without: back off
        "c-5xx": ["503", "502", "504", "412"],
        "c-timeout": ["timeout"],
        "c-400": ["400"],
        "c-413": ["413"],
        "c-always-503": ["503"] * 10,
    }
    for chat, steps in faults.items():
        connector.script(chat, steps)
    connector.forbidden |= {"c-403", "person-blocked"}
    connector.gone |= {"c-404"}

    plain = [f"c-plain-{i}" for i in range(100)]
    chats = plain + ["c-busy", *faults, "c-403", "c-404"]
    await store_conversations(
        session_factory,
        [conversation(c, url) for c in chats]
        + [
            conversation("a:known-chat", url, personal_user="person-known"),
            conversation("a:left-chat", url, personal_user="person-left", installed=False),
        ],
    )
    items = [(c, f"{c}/0") for c in plain]
    items += [("c-busy", f"c-busy/{i}") for i in range(12)]  # beyond 7 per second and 8 per 2 seconds
    items += [(c, f"{c}/{i}") for c in faults for i in range(2 if c == "c-400" else 1)]
    items += [("c-403", "c-403/0"), ("c-403", "c-403/1"), ("c-404", "c-404/0"), ("c-unknown", "c-unknown/0")]
    await queue_texts(session_factory, items)
    await queue_texts(
        session_factory,
        [(p, f"{p}/0") for p in ["person-known", "person-new", "person-blocked", "person-left"]],
        recipients=True,
    )
    async with session_factory.begin() as session:
        await enqueue(
            session,
            notice_of("no-such-card", {}),
            due_at=datetime.now(UTC),
            dedupe_key="odd/0",
            conversation_key="c-plain-0",
        )

    dispatcher = await make_dispatcher()
    await dispatcher.start()
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)

    rows = await outbox(session_factory)
    undeliverable = {"c-403/0", "c-403/1", "c-404/0", "c-unknown/0", "person-blocked/0", "person-left/0"}
    dead = {"c-400/0", "c-413/0", "c-always-503/0", "odd/0"}
    deliverable = set(rows) - undeliverable - dead
    # Exactly once each, and nothing else arrived.
    assert connector.delivered_texts() == Counter({text: 1 for text in deliverable})
    assert {k for k, r in rows.items() if r.status is NotificationStatus.SENT} == deliverable
    assert {k for k, r in rows.items() if r.status is NotificationStatus.UNDELIVERABLE} == undeliverable
    assert {k for k, r in rows.items() if r.status is NotificationStatus.DEAD} == dead
    # We never went over a limit, so Teams never had to throttle us; every injected fault did happen.
    assert connector.stats.violations == []
    assert connector.stats.injected == Counter(
        {"429:0.3": 1, "429": 2, "503": 1 + 5, "502": 1, "504": 1, "412": 1, "timeout": 1, "400": 1, "413": 1}
    )
    # Reasons people can act on.
    assert rows["c-400/0"].last_error.startswith("HTTP 400")
    assert rows["c-always-503/0"].last_error.startswith("gave up after 5 attempts: HTTP 503")
    assert rows["c-always-503/0"].attempts == 5
    assert "no renderer" in rows["odd/0"].last_error
    assert rows["c-403/0"].last_error.startswith("HTTP 403")
    assert "no longer installed" in rows["c-403/1"].last_error  # not tried again once marked
    assert "no stored conversation" in rows["c-unknown/0"].last_error
    assert rows["c-timeout/0"].attempts == 2 and rows["c-5xx/0"].attempts == 5
    # 403/404 mark the conversation as no longer installed.
    chats_installed = await installed(session_factory)
    assert chats_installed["c-403"] is False and chats_installed["c-404"] is False
    assert chats_installed["c-plain-0"] is True
    # A person without a 1:1 chat got one created, stored for next time.
    assert rows["person-new/0"].sent_conversation_id == "a:person-new"
    assert chats_installed["a:person-new"] is True
    assert [c["members"] for c in connector.created] == [[{"id": "person-new"}]]
    assert rows["person-known/0"].sent_conversation_id == "a:known-chat"
    # The busy chat's messages arrived in order.
    busy = [d.text for d in connector.deliveries if d.conversation_id == "c-busy"]
    assert busy == [f"c-busy/{i}" for i in range(12)]
    assert CREATE_KEY not in {d.conversation_id for d in connector.deliveries}
    sent_activity = next(d.activity for d in connector.deliveries if d.text == "c-plain-1/0")
    assert sent_activity["conversation"] == {"id": "c-plain-1"}
    assert sent_activity["from"]["id"] == "28:bot-app-id"
    assert sent_activity["type"] == "message" and sent_activity["textFormat"] == "plain"


async def test_an_enqueue_wakes_the_dispatcher_when_it_commits(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    dispatcher = await make_dispatcher()
    await dispatcher.start()
    await dispatcher.drained()  # nothing to do: it now sleeps until woken
    unhook = wake_on_commit(dispatcher.wake)
    try:
        async with session_factory.begin() as session:
            await queue_text(session, "hello", to="c-1")
        await asyncio.wait_for(dispatcher.wait_for_outcome(0), DRAIN_BOUND)
    finally:
        unhook()
    assert throttling_connector.delivered_texts() == Counter({"hello": 1})


async def test_wakes_in_quick_succession_share_one_claim(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    dispatcher = await make_dispatcher(dataclasses.replace(TEST_CONFIG, claim_gap=0.5))
    batches: list[int] = []
    claim = dispatcher.store.claim

    async def counted_claim(now: datetime, limit: int) -> list[ClaimedNotification]:
        claimed = await claim(now, limit)
        if claimed:
            batches.append(len(claimed))
        return claimed

    dispatcher.store.claim = counted_claim  # type: ignore[method-assign]
    await dispatcher.start()
    unhook = wake_on_commit(dispatcher.wake)
    try:
        for text in ("first", "second", "third", "fourth"):  # four commits, each waking the dispatcher
            await queue_texts(session_factory, [("c-1", text)])
            if text == "first":
                await asyncio.wait_for(dispatcher.wait_for_outcome(0), DRAIN_BOUND)
            else:
                await asyncio.sleep(0.02)  # commits spread over time, as turns come: the dispatcher could run
        await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    finally:
        unhook()
    # The three commits that came within the gap after the first claim were served by one claim (without
    # the gap, each commit's wake claims its own row at once: [1, 1, 1, 1]).
    assert batches == [1, 3]
    assert throttling_connector.delivered_texts() == Counter({"first": 1, "second": 1, "third": 1, "fourth": 1})


async def test_rows_of_a_dead_dispatcher_are_reclaimed_when_their_lease_expires(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    now = datetime.now(UTC)
    async with session_factory.begin() as session:
        session.add(
            OutboxNotification(
                dedupe_key="orphan",
                kind="text",
                conversation_key="c-1",
                payload={"text": "orphan"},
                status=NotificationStatus.SENDING,
                due_at=now,
                next_attempt_at=now,
                attempts=1,
                lease_owner="crashed-process",
                lease_expires_at=now - timedelta(seconds=1),
            )
        )
    dispatcher = await make_dispatcher()
    await dispatcher.start()
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    row = (await outbox(session_factory))["orphan"]
    assert (row.status, row.attempts, row.lease_owner) == (NotificationStatus.SENT, 2, dispatcher.owner)
    assert throttling_connector.delivered_texts() == Counter({"orphan": 1})


async def test_stop_hands_back_rows_it_had_not_sent(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    await queue_texts(session_factory, [("c-1", f"m{i:02}") for i in range(12)])
    dispatcher = await make_dispatcher()
    await dispatcher.start()
    await throttling_connector.wait_for_deliveries(1)  # the 8th must wait a second for Teams' window
    await dispatcher.stop()
    rows = await outbox(session_factory)
    sent = {k for k, r in rows.items() if r.status is NotificationStatus.SENT}
    assert sent == {t for t in throttling_connector.delivered_texts()}
    assert all(r.status in (NotificationStatus.SENT, NotificationStatus.PENDING) for r in rows.values())
    assert all(r.attempts == 0 for r in rows.values() if r.status is NotificationStatus.PENDING)
    assert len(sent) < 12

    restarted = await make_dispatcher()
    await restarted.start()
    await asyncio.wait_for(restarted.drained(), DRAIN_BOUND)
    assert throttling_connector.delivered_texts() == Counter({f"m{i:02}": 1 for i in range(12)})
    assert throttling_connector.stats.violations == []


def _sent_copy_due_again(dedupe_key: str, text: str, now: datetime) -> OutboxNotification:
    """A message Teams already shows (``m-1`` in ``c-1``) whose row a change made due again with new content."""
    return OutboxNotification(
        dedupe_key=dedupe_key,
        kind="text",
        conversation_key="c-1",
        payload={"text": text},
        status=NotificationStatus.PENDING,
        due_at=now - timedelta(hours=1),
        next_attempt_at=now,
        attempts=0,
        activity_id="m-1",
        sent_conversation_id="c-1",
        sent_at=now - timedelta(hours=1),
    )


async def test_a_sent_message_due_again_is_replaced_in_place(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    """The new version replaces Teams' message (PUT to its id); nothing new is posted to the chat."""
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    async with session_factory.begin() as session:
        session.add(_sent_copy_due_again("card", "assigned to Patti", datetime.now(UTC)))
    dispatcher = await make_dispatcher()
    await dispatcher.start()
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    [update] = throttling_connector.updates
    assert (update.conversation_id, update.activity_id, update.text) == ("c-1", "m-1", "assigned to Patti")
    assert update.activity["id"] == "m-1" and update.activity["conversation"] == {"id": "c-1"}
    assert throttling_connector.deliveries == []
    row = (await outbox(session_factory))["card"]
    assert (row.status, row.activity_id, row.sent_conversation_id) == (NotificationStatus.SENT, "m-1", "c-1")


async def test_a_refused_replacement_gives_up_that_copy_not_the_chat(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    """404 to a PUT (the message was deleted) kills that row only: the chat stays installed and gets new messages."""
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    async with session_factory.begin() as session:
        session.add(_sent_copy_due_again("card", "assigned to Patti", datetime.now(UTC)))
    throttling_connector.script("c-1", ["404"])
    dispatcher = await make_dispatcher()
    await dispatcher.start()
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    row = (await outbox(session_factory))["card"]
    assert row.status is NotificationStatus.DEAD and "m-1" in (row.last_error or "")
    assert (await installed(session_factory))["c-1"] is True
    await queue_texts(session_factory, [("c-1", "next message")])
    dispatcher.wake()
    await throttling_connector.wait_for_deliveries(1)
    assert throttling_connector.delivered_texts() == Counter({"next message": 1})


async def test_content_that_changes_while_on_the_wire_follows_as_a_replacement(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    """The send in flight is recorded, then the row is due again at once and Teams' message is replaced."""
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    await queue_texts(session_factory, [("c-1", "card")])
    gate = throttling_connector.hold()
    dispatcher = await make_dispatcher()
    await dispatcher.start()
    await throttling_connector.wait_for_requests(1)  # the first version is on the wire
    async with session_factory.begin() as session:  # what refresh_cards does to a row being sent
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.dedupe_key == "card")
            .values(payload={"text": "card, assigned"}, changed_while_sending=True)
        )
    gate.set()
    await throttling_connector.wait_for_deliveries(1)
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    [sent] = throttling_connector.deliveries
    [replaced] = throttling_connector.updates
    assert sent.text == "card" and (replaced.activity_id, replaced.text) == (sent.activity_id, "card, assigned")
    row = (await outbox(session_factory))["card"]
    assert (row.status, row.activity_id, row.changed_while_sending) == (
        NotificationStatus.SENT,
        sent.activity_id,
        False,
    )
    assert (row.attempts, row.superseded_attempts) == (2, 1)  # two claims; the second was the new content's first try


async def test_a_notification_past_its_expiry_is_not_sent_and_says_why(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    """A reminder held up (the bot was down) until its session had started would only mislead."""
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    now = datetime.now(UTC)
    async with session_factory.begin() as session:
        await queue_text(session, "starts in 1 hour", to="c-1", due_at=now - timedelta(hours=2), expires_at=now)
        await queue_text(session, "starts tomorrow", to="c-1", expires_at=now + timedelta(days=1))
    dispatcher = await make_dispatcher()
    await dispatcher.start()
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    rows = await outbox(session_factory)
    assert throttling_connector.delivered_texts() == Counter({"starts tomorrow": 1})
    late = rows["starts in 1 hour"]
    assert late.status is NotificationStatus.DEAD and late.last_error.startswith("expired at ")


async def test_a_notification_that_cannot_be_drawn_afresh_is_tried_again_never_sent_stale(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher
) -> None:
    """A kind drawn when sent (a live poll card) whose draw fails is tried again later: its stored payload may be
    long out of date (a live poll card's is the launch card), so it is never sent instead."""
    await store_conversations(session_factory, [conversation("c-1", throttling_connector.service_url)])
    await queue_texts(session_factory, [("c-1", "stored text")])
    draws = 0

    async def fresh(_session: AsyncSession, payload: dict) -> dict:  # type: ignore[type-arg]
        nonlocal draws
        draws += 1
        if draws == 1:
            raise RuntimeError("the database, for a moment")
        return {**payload, "text": "drawn afresh"}

    renderers = RendererRegistry()
    renderers.register("text", render_text, fresh=fresh)
    dispatcher = await make_dispatcher(renderers=renderers)
    await dispatcher.start()
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    assert throttling_connector.delivered_texts() == Counter({"drawn afresh": 1})
    row = (await outbox(session_factory))["stored text"]
    assert row.status is NotificationStatus.SENT and draws == 2
