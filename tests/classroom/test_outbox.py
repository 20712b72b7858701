"""The outbox as the domain uses it: enqueue in the caller's transaction, dedupe, cancel, inspect, retry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from classroom.enquiries.notices import refresh_cards
from classroom.enquiries.views import EnquiryView
from classroom.errors import InvalidInput, NotFound
from classroom.outbox import (
    ENQUEUED_FLAG,
    Queued,
    cancel_by_dedupe_prefix,
    cancel_by_dedupe_prefixes_on,
    deliver_waiting,
    enqueue,
    enqueue_many,
    enqueue_many_on,
    get_notification,
    last_sent,
    outbox_summary,
    replace_copies,
    retry_notification,
)
from classroom.outbox import queue as outbox_queue
from classroom.outbox.queue import _enqueue_statement
from classroom.transactions import on_session_connection
from storage.models import EnquiryKind, EnquiryStatus, NotificationStatus, OutboxNotification
from tests.support.notices import mark, notice_of
from tests.support.statements import statements, through_execute

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def rows(session_factory: async_sessionmaker[AsyncSession]) -> list[OutboxNotification]:
    async with session_factory() as session:
        return list(await session.scalars(select(OutboxNotification).order_by(OutboxNotification.id)))


async def queue(
    session: AsyncSession, key: str, *, kind: str = "text", payload: dict | None = None, **overrides: object
) -> bool:
    values: dict = {"due_at": DUE, "dedupe_key": key, "conversation_key": "19:chat"}
    values.update(overrides)
    return await enqueue(session, notice_of(kind, payload or {"text": key}), **values)


async def test_enqueue_writes_a_pending_row_in_the_callers_transaction(session_factory) -> None:
    async with session_factory.begin() as session:
        assert await queue(session, "enquiry-card:1")
        assert session.info[ENQUEUED_FLAG] is True
    [row] = await rows(session_factory)
    assert row.status is NotificationStatus.PENDING
    assert (row.kind, row.payload, row.conversation_key, row.recipient_aad_object_id) == (
        "text",
        {"text": "enquiry-card:1"},
        "19:chat",
        None,
    )
    assert row.due_at == DUE and row.next_attempt_at == DUE and row.attempts == 0


async def test_rolled_back_change_takes_its_notification_with_it(session_factory) -> None:
    with pytest.raises(RuntimeError):
        async with session_factory.begin() as session:
            await queue(session, "enquiry-card:1")
            raise RuntimeError("the enquiry failed to save")
    assert await rows(session_factory) == []


async def test_same_dedupe_key_twice_is_a_no_op(session_factory) -> None:
    async with session_factory.begin() as session:
        assert await queue(session, "reminder:7:24h")
    async with session_factory.begin() as session:
        assert not await queue(session, "reminder:7:24h", payload={"text": "changed"})
        assert ENQUEUED_FLAG not in session.info
    [row] = await rows(session_factory)
    assert row.payload == {"text": "reminder:7:24h"}


async def test_same_key_in_one_transaction_is_a_no_op_too(session_factory) -> None:
    async with session_factory.begin() as session:
        assert await queue(session, "k")
        assert not await queue(session, "k")
    assert len(await rows(session_factory)) == 1


async def test_a_sent_notification_is_never_queued_again(session_factory) -> None:
    async with session_factory.begin() as session:
        await queue(session, "k")
    async with session_factory.begin() as session:
        await session.execute(update(OutboxNotification).values(status=NotificationStatus.SENT))
    async with session_factory.begin() as session:
        assert not await queue(session, "k")
    [row] = await rows(session_factory)
    assert row.status is NotificationStatus.SENT


async def test_concurrent_enqueues_of_one_key_insert_once(session_factory) -> None:
    async def attempt() -> bool:
        async with session_factory.begin() as session:
            return await queue(session, "offer:run-3:person-9")

    results = await asyncio.gather(*(attempt() for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert len(await rows(session_factory)) == 1


async def test_recipient_addressing(session_factory) -> None:
    async with session_factory.begin() as session:
        await queue(session, "k", conversation_key=None, recipient="aad-1")
    [row] = await rows(session_factory)
    assert (row.conversation_key, row.recipient_aad_object_id) == (None, "aad-1")


@pytest.mark.parametrize(
    "overrides",
    [
        {"conversation_key": None},
        {"recipient": "aad-1"},
        {"dedupe_key": ""},
        {"dedupe_key": "x" * 301},
        {"due_at": datetime(2026, 11, 23, 9, 0)},
    ],
)
async def test_invalid_enqueue_is_refused(session_factory, overrides) -> None:
    overrides = dict(overrides)  # the parameter is shared by both backends' runs
    async with session_factory.begin() as session:
        with pytest.raises(InvalidInput):
            await queue(session, overrides.pop("dedupe_key", "k"), **overrides)


async def test_cancel_by_prefix_cancels_only_pending_matches(session_factory) -> None:
    async with session_factory.begin() as session:
        for key in ["reminder:run-7:s1", "reminder:run-7:s2", "reminder:run-70:s1", "reminder:run-7:s3"]:
            await queue(session, key)
    async with session_factory.begin() as session:
        await mark(session, "reminder:run-7:s3", NotificationStatus.SENDING)
    async with session_factory.begin() as session:
        assert await cancel_by_dedupe_prefix(session, "reminder:run-7:") == 2
    status = {row.dedupe_key: row.status for row in await rows(session_factory)}
    assert status == {
        "reminder:run-7:s1": NotificationStatus.CANCELLED,
        "reminder:run-7:s2": NotificationStatus.CANCELLED,
        "reminder:run-70:s1": NotificationStatus.PENDING,
        "reminder:run-7:s3": NotificationStatus.SENDING,  # possibly on the wire: left alone
    }


async def test_what_waits_for_a_persons_chat_goes_as_the_card_now_is_or_not_at_all(session_factory) -> None:
    """A card queued for someone without a chat yet goes when they install the app: by then its decision may be
    made (the card cancelled) or the card changed (replaced), and it must not go out as it was when queued."""
    async with session_factory.begin() as session:
        for key, text in (("review:1:2", "accept or decline?"), ("card:9:3", "assign to me?")):
            await queue(session, key, payload={"text": text}, conversation_key=None, recipient="aad-megan")
            await mark(session, key, NotificationStatus.UNDELIVERABLE, "no chat with them")
    async with session_factory.begin() as session:
        assert await cancel_by_dedupe_prefix(session, "review:1:") == 1  # decided: it need not go at all
        await replace_copies(session, "card:9:", notice_of("text", {"text": "assigned to Adele"}), now=DUE)
    waiting = {row.dedupe_key: (row.status, row.payload["text"]) for row in await rows(session_factory)}
    assert waiting == {
        "review:1:2": (NotificationStatus.CANCELLED, "accept or decline?"),
        "card:9:3": (NotificationStatus.UNDELIVERABLE, "assigned to Adele"),  # still waiting for her chat
    }
    async with session_factory.begin() as session:
        assert await deliver_waiting(session, "aad-megan", DUE) == 1  # she installs the app
    [going] = [row for row in await rows(session_factory) if row.status is NotificationStatus.PENDING]
    assert (going.dedupe_key, going.payload) == ("card:9:3", {"text": "assigned to Adele"})


async def test_a_person_reachable_again_gets_no_notification_past_its_expiry(session_factory) -> None:
    """Installing the app days later must not bring "your session starts in 1 hour" for a session now past."""
    async with session_factory.begin() as session:
        for key, expiry in (("reminder:past", DUE), ("reminder:ahead", DUE + timedelta(days=2)), ("card:1", None)):
            await queue(session, key, conversation_key=None, recipient="aad-megan", expires_at=expiry)
            await mark(session, key, NotificationStatus.UNDELIVERABLE, "no chat with them")
    async with session_factory.begin() as session:
        assert await deliver_waiting(session, "aad-megan", DUE + timedelta(hours=1)) == 2
    status = {row.dedupe_key: row.status for row in await rows(session_factory)}
    assert status == {
        "reminder:past": NotificationStatus.UNDELIVERABLE,
        "reminder:ahead": NotificationStatus.PENDING,
        "card:1": NotificationStatus.PENDING,
    }


async def test_cancel_prefix_treats_like_wildcards_literally(session_factory) -> None:
    async with session_factory.begin() as session:
        await queue(session, "a_b:1")
        await queue(session, "axb:1")
        await queue(session, "100%:1")
        await queue(session, "1000:1")
    async with session_factory.begin() as session:
        assert await cancel_by_dedupe_prefix(session, "a_b") == 1
        assert await cancel_by_dedupe_prefix(session, "100%") == 1
    cancelled = {row.dedupe_key for row in await rows(session_factory) if row.status is NotificationStatus.CANCELLED}
    assert cancelled == {"a_b:1", "100%:1"}


@pytest.mark.parametrize(
    ("prefix", "inside", "outside"),
    [
        pytest.param("k\ud7ff", "k\ud7ff:1", "k\ue000:1", id="last before the surrogates"),
        pytest.param("k\U0010ffff", "k\U0010ffff\U0010ffff:1", "l:1", id="last code point"),
    ],
)
async def test_cancel_prefix_ending_in_a_character_without_a_plain_successor(
    session_factory, prefix: str, inside: str, outside: str
) -> None:
    async with session_factory.begin() as session:
        await queue(session, inside)
        await queue(session, outside)
    async with session_factory.begin() as session:
        assert await cancel_by_dedupe_prefix(session, prefix) == 1
    cancelled = {row.dedupe_key for row in await rows(session_factory) if row.status is NotificationStatus.CANCELLED}
    assert cancelled == {inside}


async def test_cancel_refuses_an_empty_prefix(session_factory) -> None:
    async with session_factory.begin() as session:
        with pytest.raises(InvalidInput):
            await cancel_by_dedupe_prefix(session, "")


async def test_cancelled_key_can_be_planned_again(session_factory) -> None:
    async with session_factory.begin() as session:
        await queue(session, "reminder:run-7:s1")
    async with session_factory.begin() as session:
        await cancel_by_dedupe_prefix(session, "reminder:run-7:")
    moved = DUE + timedelta(days=1)
    async with session_factory.begin() as session:
        assert await queue(session, "reminder:run-7:s1", due_at=moved, payload={"text": "moved"})
    [row] = await rows(session_factory)
    assert row.status is NotificationStatus.PENDING
    assert (row.due_at, row.next_attempt_at, row.payload) == (moved, moved, {"text": "moved"})


async def test_summary_counts_oldest_and_recent_failures(session_factory) -> None:
    async with session_factory.begin() as session:
        for i in range(5):
            await queue(session, f"k{i}", due_at=DUE + timedelta(minutes=i))
    async with session_factory.begin() as session:
        await mark(session, "k0", NotificationStatus.SENT)
        await mark(session, "k1", NotificationStatus.DEAD, "HTTP 400 BadArgument")
        await mark(session, "k2", NotificationStatus.UNDELIVERABLE, "HTTP 403")
    async with session_factory() as session:
        summary = await outbox_summary(session)
    assert summary.counts[NotificationStatus.PENDING] == 2
    assert summary.counts[NotificationStatus.SENT] == 1
    assert summary.counts[NotificationStatus.CANCELLED] == 0
    assert summary.total == 5
    assert summary.oldest_due_pending == DUE + timedelta(minutes=3)
    assert {(f.status, f.last_error) for f in summary.recent_failures} == {
        (NotificationStatus.DEAD, "HTTP 400 BadArgument"),
        (NotificationStatus.UNDELIVERABLE, "HTTP 403"),
    }


async def test_summary_of_an_empty_outbox(session_factory) -> None:
    async with session_factory() as session:
        summary = await outbox_summary(session)
    assert summary.total == 0 and summary.oldest_due_pending is None and summary.recent_failures == []


async def test_retry_gives_a_dead_row_fresh_attempts(session_factory, clock) -> None:
    async with session_factory.begin() as session:
        await queue(session, "k")
    async with session_factory.begin() as session:
        await session.execute(
            update(OutboxNotification).values(status=NotificationStatus.DEAD, attempts=8, last_error="gave up")
        )
    [row] = await rows(session_factory)
    async with session_factory.begin() as session:
        view = await retry_notification(session, row.id, clock.now())
        assert session.info[ENQUEUED_FLAG] is True
    assert (view.status, view.attempts) == (NotificationStatus.PENDING, 0)
    [row] = await rows(session_factory)
    assert (row.status, row.next_attempt_at) == (NotificationStatus.PENDING, clock.now())
    assert (row.attempts, row.superseded_attempts) == (8, 8)  # fresh tries; the claim count (its token) goes on


async def test_retry_refuses_rows_that_are_not_failed(session_factory, clock) -> None:
    async with session_factory.begin() as session:
        await queue(session, "k")
    [row] = await rows(session_factory)
    async with session_factory.begin() as session:
        with pytest.raises(InvalidInput):
            await retry_notification(session, row.id, clock.now())
        with pytest.raises(NotFound):
            await retry_notification(session, row.id + 100, clock.now())
        with pytest.raises(NotFound):
            await get_notification(session, row.id + 100)
        assert (await get_notification(session, row.id)).target == "19:chat"


async def _plan_of_outbox_update(engine: AsyncEngine, session_factory, work) -> str:
    """The database's plan for the UPDATE of the outbox that ``work(session)`` runs."""
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.startswith("UPDATE outbox"):
            captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with session_factory.begin() as session:
            await work(session)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    statement, parameters = captured[-1]
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return " ".join(str(row[-1]) for row in plan)
        await connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table would be read whole
        plan = await connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        return " ".join(str(row[0]) for row in plan)


def _card_view(enquiry_id: int) -> EnquiryView:
    return EnquiryView(
        id=enquiry_id,
        reference="ENQ-2026-0001",
        kind=EnquiryKind.QUESTION,
        status=EnquiryStatus.AWAITING_REPLY,
        enquirer_name="A",
        enquirer_email="a@example.org",
        organisation="O",
        job_role="R",
        courses=[],
        message="M",
        created_at=DUE,
    )


@pytest.mark.parametrize(
    "lookup",
    [
        pytest.param(lambda session: cancel_by_dedupe_prefix(session, "reminder:run-7:"), id="cancel by prefix"),
        pytest.param(lambda session: refresh_cards(session, _card_view(7), now=DUE), id="an enquiry card's copies"),
    ],
)
async def test_prefix_lookups_find_rows_by_the_key_not_by_status(engine, session_factory, lookup) -> None:
    """The outbox keeps every sent row: a lookup by key prefix must walk the key's index, never the status one."""
    async with session_factory.begin() as session:
        for n in range(50):
            await queue(session, f"reminder:run-{n}:session-1")
            await queue(session, f"enquiry-card:{n}:19:coordinators", kind="enquiries.card")
        await session.execute(update(OutboxNotification).values(status=NotificationStatus.SENT, activity_id="1:a"))
        await queue(session, "reminder:run-7:session-2")
    plan = await _plan_of_outbox_update(engine, session_factory, lookup)
    dedupe_index = "sqlite_autoindex_outbox_1" if engine.dialect.name == "sqlite" else "uq_outbox_dedupe_key"
    assert dedupe_index in plan
    assert "ix_outbox_status_next_attempt_at" not in plan


@pytest.mark.parametrize(
    "lookup",
    [
        pytest.param(lambda session: cancel_by_dedupe_prefix(session, "reminder:run-7:"), id="cancel by prefix"),
        pytest.param(lambda session: refresh_cards(session, _card_view(7), now=DUE), id="an enquiry card's copies"),
        pytest.param(lambda session: last_sent(session, "enquiry-card:7:"), id="last sent"),
    ],
)
async def test_prefix_lookups_match_without_a_like(engine, session_factory, lookup) -> None:
    """No LIKE with a parameter as its pattern: SQLite prepares such a statement again at every execution, and the
    outbox's UPDATEs, run on every button pressed on a live card, cost several times more to prepare than to run."""
    async with session_factory.begin() as session:
        await queue(session, "enquiry-card:7:19:coordinators", kind="enquiries.card")
    with statements(engine) as seen:
        async with session_factory.begin() as session:
            await lookup(session)
    prefix_lookups = [statement for statement in seen if "dedupe_key >=" in statement]
    assert prefix_lookups
    assert not [statement for statement in prefix_lookups if " LIKE " in statement.upper()]


async def _many(session: AsyncSession, batch: list[Queued], way: str) -> int:
    """``enqueue_many`` in the session, or ``enqueue_many_on`` on its connection from synchronous code."""
    if way == "on_connection":
        return await on_session_connection(session, lambda connection: enqueue_many_on(connection, batch))
    return await enqueue_many(session, batch)


MANY = pytest.mark.parametrize("way", ["session", "on_connection"])


@MANY
async def test_enqueue_many_queues_each_row_as_enqueue_would(engine, session_factory, way) -> None:
    """A new key is queued, a key still waiting is left as it was, a cancelled one is planned again, a sent one is
    never queued again: as one ``enqueue`` each, in one INSERT of many VALUES (a confirmed place queues a dozen)."""
    async with session_factory.begin() as session:
        assert await queue(session, "k:waiting", payload={"text": "first"})
        assert await queue(session, "k:cancelled")
        assert await queue(session, "k:sent")
        await cancel_by_dedupe_prefix(session, "k:cancelled")
        await mark(session, "k:sent", NotificationStatus.SENT)
    later = DUE + timedelta(hours=1)
    batch = [
        Queued(notice_of("text", {"text": key}), due_at=later, dedupe_key=key, recipient="aad-1", expires_at=None)
        for key in ("k:new", "k:waiting", "k:cancelled", "k:sent")
    ]
    async with session_factory.begin() as session:
        with statements(engine) as seen:
            assert await _many(session, batch, way) == 2  # the new one and the cancelled one
        assert session.info[ENQUEUED_FLAG] is True
    assert len(seen) == 1 and seen[0].lstrip().startswith("INSERT INTO outbox"), seen
    by_key = {row.dedupe_key: row for row in await rows(session_factory)}
    assert (by_key["k:new"].status, by_key["k:new"].due_at, by_key["k:new"].payload) == (
        NotificationStatus.PENDING,
        later,
        {"text": "k:new"},
    )
    assert by_key["k:new"].recipient_aad_object_id == "aad-1"
    assert (by_key["k:cancelled"].status, by_key["k:cancelled"].due_at) == (NotificationStatus.PENDING, later)
    assert by_key["k:cancelled"].updated_at > by_key["k:cancelled"].created_at  # revived: written now
    assert (by_key["k:waiting"].payload, by_key["k:waiting"].due_at) == ({"text": "first"}, DUE)  # unchanged
    assert by_key["k:sent"].status is NotificationStatus.SENT


@MANY
async def test_enqueue_many_with_a_key_twice_queues_it_once(session_factory, way) -> None:
    rows_ = [
        Queued(notice_of("text", {"text": str(n)}), due_at=DUE, dedupe_key="k:twice", recipient="a") for n in (1, 2)
    ]
    async with session_factory.begin() as session:
        assert await _many(session, rows_, way) == 1
        assert await _many(session, [], way) == 0
    [row] = await rows(session_factory)
    assert row.payload == {"text": "1"}


@MANY
async def test_enqueue_many_refuses_an_invalid_row_and_queues_none(session_factory, way) -> None:
    good = Queued(notice_of("text", {"text": "ok"}), due_at=DUE, dedupe_key="k:ok", recipient="a")
    bad = Queued(notice_of("text", {"text": "bad"}), due_at=DUE.replace(tzinfo=None), dedupe_key="k:bad", recipient="a")
    async with session_factory.begin() as session:
        with pytest.raises(InvalidInput):
            await _many(session, [good, bad], way)
    assert await rows(session_factory) == []


async def test_enqueue_many_on_a_connection_queues_more_rows_than_one_statement_takes(session_factory) -> None:
    """On sqlite3 directly, past the rows one statement takes the rest go in another; elsewhere (PostgreSQL, or
    listeners on the engine) the executemany of the one-row upsert built once, whose compiled form SQLAlchemy keeps
    (it compiles a statement of many VALUES afresh on every run). Every row is queued, each once."""
    batch = [
        Queued(notice_of("text", {"text": str(n)}), due_at=DUE, dedupe_key=f"k:{n:03}", recipient="a")
        for n in range(150)
    ]
    async with session_factory.begin() as session:
        with through_execute() as executed:
            assert await _many(session, batch, "on_connection") == 150
        assert session.info[ENQUEUED_FLAG] is True
        dialect = session.get_bind().dialect.name
    assert executed == ([] if dialect == "sqlite" else [_enqueue_statement(dialect)]), executed
    assert [row.dedupe_key for row in await rows(session_factory)] == [row.dedupe_key for row in batch]
    async with session_factory.begin() as session:  # again: all queued already
        assert await _many(session, batch, "on_connection") == 0
        assert ENQUEUED_FLAG not in session.info


async def test_enqueue_many_on_a_connection_keeps_a_statement_per_size_not_per_row_count(
    engine, session_factory, monkeypatch
) -> None:
    """Places queue as many rows as their course's sessions make: on sqlite3 directly each call's rows go in one
    statement padded to a power of two rows (its last row repeated, which changes nothing), so the statements kept
    (each with its compiled form) stay a handful, however many counts come."""
    sizes: list[int] = []
    built = outbox_queue._enqueue_rows

    def recorded(dialect: str, count: int) -> object:
        sizes.append(count)
        return built(dialect, count)

    monkeypatch.setattr(outbox_queue, "_enqueue_rows", recorded)
    batches = [
        [
            Queued(notice_of("text", {"text": "x"}), due_at=DUE, dedupe_key=f"k:{count}:{n}", recipient="a")
            for n in range(count)
        ]
        for count in range(1, 21)
    ]
    async with session_factory.begin() as session:
        for batch in batches:
            assert await _many(session, batch, "on_connection") == len(batch)
    assert len(await rows(session_factory)) == sum(range(1, 21))
    if engine.dialect.name == "sqlite":
        assert len(sizes) == 20 and set(sizes) == {1, 2, 4, 8, 16, 32}, sizes  # one statement a call, six sizes
    async with session_factory.begin() as session:
        assert await cancel_by_dedupe_prefix(session, "k:7:") == 7
    async with session_factory.begin() as session:  # again: the cancelled ones revived, the rest left
        assert await _many(session, batches[6], "on_connection") == 7
        assert await _many(session, batches[6], "on_connection") == 0
        assert await _many(session, batches[19], "on_connection") == 0


async def test_enqueue_many_on_a_connection_with_listeners_sends_the_statement_built_once(
    engine, session_factory
) -> None:
    """With listeners on the engine (a statement recorder: tests, ``benchmarks/growth.py``), the rows go as
    ``enqueue_many`` sends them: one executemany of the upsert built once, not a statement SQLAlchemy compiles anew."""
    batch = [
        Queued(notice_of("text", {"text": str(n)}), due_at=DUE, dedupe_key=f"k:{n}", recipient="a") for n in range(6)
    ]
    async with session_factory.begin() as session:
        with statements(engine) as seen, through_execute() as executed:
            assert await _many(session, batch, "on_connection") == 6
    assert len(seen) == 1 and executed == [_enqueue_statement(engine.dialect.name)], executed


async def test_cancel_by_several_prefixes_on_a_connection_cancels_what_each_would(engine, session_factory) -> None:
    """One statement for every prefix, cancelling what ``cancel_by_dedupe_prefix`` of each would."""
    async with session_factory.begin() as session:
        for key in ["reminder:e1:s1", "prompt:e1:s1", "survey:e1:before", "reminder:e10:s1", "survey:e2:after"]:
            await queue(session, key)
        await mark(session, "prompt:e1:s1", NotificationStatus.SENDING)
    prefixes = ["reminder:e1:", "prompt:e1:", "survey:e1:"]
    async with session_factory.begin() as session:
        with statements(engine) as seen:
            await on_session_connection(session, lambda c: cancel_by_dedupe_prefixes_on(c, prefixes))
    assert len(seen) == 1, seen
    status = {row.dedupe_key: row.status for row in await rows(session_factory)}
    assert status == {
        "reminder:e1:s1": NotificationStatus.CANCELLED,
        "prompt:e1:s1": NotificationStatus.SENDING,  # possibly on the wire: left alone
        "survey:e1:before": NotificationStatus.CANCELLED,
        "reminder:e10:s1": NotificationStatus.PENDING,
        "survey:e2:after": NotificationStatus.PENDING,
    }
