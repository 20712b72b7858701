"""Claiming under leases: due rows only, a bounded share per conversation, one process per conversation,
reclaim after a lease expires, and outcomes recorded only while the lease holds."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.outbox.claims import ClaimedNotification, OutboxStore, Outcome
from storage.models import ConversationRecord, NotificationStatus, OutboxNotification
from tests.delivery.helpers import conversation, queue_texts, store_conversations

LEASE = timedelta(seconds=60)


def store(session_factory: async_sessionmaker[AsyncSession], owner: str, per_target: int = 8) -> OutboxStore:
    return OutboxStore(session_factory, owner, lease=LEASE, per_target=per_target)


async def sent(owner: OutboxStore, claim: ClaimedNotification, now, activity_id: str = "1") -> bool:  # type: ignore[no-untyped-def]
    [recorded] = await owner.record(
        [Outcome(claim, NotificationStatus.SENT, now, activity_id=activity_id, conversation_id=claim.conversation_key)]
    )
    return recorded


async def statuses(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, OutboxNotification]:
    async with session_factory() as session:
        return {row.dedupe_key: row for row in await session.scalars(select(OutboxNotification))}


async def test_claim_takes_due_rows_under_a_lease(session_factory, clock) -> None:
    await queue_texts(session_factory, [("a", "now-1"), ("b", "now-2")], due_at=clock.now())
    await queue_texts(session_factory, [("c", "later")], due_at=clock.now() + timedelta(hours=1))
    a = store(session_factory, "A")
    claimed = await a.claim(clock.now(), 10)
    assert [c.dedupe_key for c in claimed] == ["now-1", "now-2"]
    assert all(c.attempt == 1 for c in claimed)
    rows = await statuses(session_factory)
    assert rows["now-1"].status is NotificationStatus.SENDING
    assert rows["now-1"].lease_owner == "A" and rows["now-1"].lease_expires_at == clock.now() + LEASE
    assert rows["later"].status is NotificationStatus.PENDING
    assert await a.claim(clock.now(), 10) == []  # nothing more is due
    assert await a.next_due() == clock.now() + timedelta(hours=1)


async def test_claim_limit_and_share_per_conversation(session_factory, clock) -> None:
    await queue_texts(session_factory, [("busy", f"busy-{i:02}") for i in range(20)], due_at=clock.now())
    await queue_texts(session_factory, [("quiet", "quiet-1")], due_at=clock.now())
    a = store(session_factory, "A", per_target=8)
    first = await a.claim(clock.now(), 100)
    assert sorted(c.dedupe_key for c in first) == [f"busy-{i:02}" for i in range(8)] + ["quiet-1"]
    # Rows we still hold count against the share: nothing more of "busy" until some are done.
    assert await a.claim(clock.now(), 100) == []
    for claim in first[:3]:
        assert await sent(a, claim, clock.now())
    again = await a.claim(clock.now(), 100)
    assert [c.dedupe_key for c in again] == [f"busy-{i:02}" for i in range(8, 11)]
    assert len(await a.claim(clock.now(), 0)) == 0


async def test_a_conversation_another_process_is_sending_to_is_left_alone(session_factory, clock) -> None:
    await queue_texts(session_factory, [("x", "x-1"), ("x", "x-2")], due_at=clock.now())
    a, b = store(session_factory, "A", per_target=1), store(session_factory, "B")
    assert [c.dedupe_key for c in await a.claim(clock.now(), 10)] == ["x-1"]
    await queue_texts(session_factory, [("y", "y-1")], due_at=clock.now())
    assert [c.dedupe_key for c in await b.claim(clock.now(), 10)] == ["y-1"]  # not x-2: A is sending to x


async def test_expired_lease_is_reclaimed_and_the_old_owner_cannot_record(session_factory, clock) -> None:
    await queue_texts(session_factory, [("x", "x-1")], due_at=clock.now())
    a, b = store(session_factory, "A"), store(session_factory, "B")
    [old] = await a.claim(clock.now(), 10)
    clock.advance(LEASE - timedelta(seconds=1))
    assert await b.claim(clock.now(), 10) == []
    assert await b.next_due() == clock.now() + timedelta(seconds=1)  # when A's lease runs out
    clock.advance(timedelta(seconds=2))
    [new] = await b.claim(clock.now(), 10)
    assert (new.id, new.attempt) == (old.id, 2)
    assert not await sent(a, old, clock.now(), "late")  # A lost the row: its outcome is ignored
    assert await sent(b, new, clock.now(), "1")
    row = (await statuses(session_factory))["x-1"]
    assert (row.status, row.activity_id, row.lease_owner) == (NotificationStatus.SENT, "1", "B")


async def test_heartbeat_keeps_the_lease(session_factory, clock) -> None:
    await queue_texts(session_factory, [("x", "x-1")], due_at=clock.now())
    a, b = store(session_factory, "A"), store(session_factory, "B")
    claimed = await a.claim(clock.now(), 10)
    clock.advance(LEASE - timedelta(seconds=5))
    assert await a.extend_leases(claimed, clock.now()) == 1
    clock.advance(timedelta(seconds=30))
    assert await b.claim(clock.now(), 10) == []


async def test_retry_failure_and_release(session_factory, clock) -> None:
    records = [conversation("x", "http://connector"), conversation("y", "http://connector")]
    await store_conversations(session_factory, records)
    await queue_texts(
        session_factory, [("x", "retry"), ("x", "gone"), ("y", "bad"), ("y", "unsent")], due_at=clock.now()
    )
    a = store(session_factory, "A")
    claims = {c.dedupe_key: c for c in await a.claim(clock.now(), 10)}
    later = clock.now() + timedelta(seconds=30)
    now = clock.now()
    assert await a.record(
        [
            Outcome(claims["retry"], NotificationStatus.PENDING, now, "HTTP 503", next_attempt_at=later),
            Outcome(claims["gone"], NotificationStatus.UNDELIVERABLE, now, "HTTP 403", forget_conversation_id="x"),
            Outcome(claims["bad"], NotificationStatus.DEAD, now, "HTTP 400"),
        ]
    ) == [True, True, True]
    assert await a.release([claims["unsent"]], clock.now()) == 1
    rows = await statuses(session_factory)
    assert (rows["retry"].status, rows["retry"].next_attempt_at, rows["retry"].attempts, rows["retry"].last_error) == (
        NotificationStatus.PENDING,
        later,
        1,
        "HTTP 503",
    )
    assert (rows["gone"].status, rows["gone"].last_error) == (NotificationStatus.UNDELIVERABLE, "HTTP 403")
    assert (rows["bad"].status, rows["bad"].last_error) == (NotificationStatus.DEAD, "HTTP 400")
    assert (rows["unsent"].status, rows["unsent"].attempts) == (NotificationStatus.PENDING, 0)
    async with session_factory() as session:
        installed = dict(
            (await session.execute(select(ConversationRecord.conversation_id, ConversationRecord.installed))).all()
        )
    assert installed == {"x": False, "y": True}


async def test_concurrent_claims_never_share_a_row(session_factory, clock) -> None:
    await queue_texts(session_factory, [(f"c{i}", f"n{i}") for i in range(200)], due_at=clock.now())
    owners = [store(session_factory, f"owner-{i}") for i in range(4)]

    async def drain(owner: OutboxStore) -> list[int]:
        taken: list[int] = []
        while batch := await owner.claim(clock.now(), 7):
            taken += [c.id for c in batch]
        return taken

    results = await asyncio.gather(*(drain(o) for o in owners))
    every = [i for r in results for i in r]
    assert len(every) == len(set(every)) == 200


async def test_unfinished_counts_pending_and_sending(session_factory, clock) -> None:
    await queue_texts(session_factory, [("x", "a"), ("x", "b")], due_at=clock.now())
    a = store(session_factory, "A", per_target=1)
    await a.claim(clock.now(), 10)
    assert await a.unfinished() == 2
    async with session_factory.begin() as session:
        await session.execute(update(OutboxNotification).values(status=NotificationStatus.SENT))
    assert await a.unfinished() == 0


async def test_a_spaced_replacement_waits_for_its_time_even_when_it_arrives_during_the_send(
    session_factory, clock
) -> None:
    """``replace_copies(not_before=...)``: a copy Teams has is due again no sooner than asked; a change made while
    the copy is on the wire is sent once the send is recorded, but also no sooner than asked (a live poll card is
    replaced at most once a second)."""
    from classroom.outbox import replace_copies
    from tests.support.notices import notice_of

    await store_conversations(session_factory, [conversation("19:chat", "https://smba.example/")])
    await queue_texts(session_factory, [("19:chat", "card:1:chat")], due_at=clock.now())
    a = store(session_factory, "A")
    [claim] = await a.claim(clock.now(), 10)
    assert await sent(a, claim, clock.now(), activity_id="msg-1")
    soon = clock.now() + timedelta(seconds=1)
    async with session_factory.begin() as session:
        await replace_copies(session, "card:1:", notice_of("text", {"text": "v2"}), now=clock.now(), not_before=soon)
    assert await a.claim(clock.now(), 10) == []  # not yet
    [claim] = await a.claim(soon, 10)  # the replacement goes on the wire at its time...
    later = soon + timedelta(seconds=1)
    async with session_factory.begin() as session:  # ...and changes again meanwhile
        await replace_copies(session, "card:1:", notice_of("text", {"text": "v3"}), now=soon, not_before=later)
    assert await sent(a, claim, soon + timedelta(milliseconds=100), activity_id="msg-1")
    row = (await statuses(session_factory))["card:1:chat"]
    assert (row.status, row.due_at, row.next_attempt_at) == (NotificationStatus.PENDING, later, later)
    assert await a.claim(soon + timedelta(milliseconds=500), 10) == []
    [claim] = await a.claim(later, 10)
    assert claim.payload == {"text": "v3"} and claim.replaces_sent_message


async def test_a_change_during_the_send_without_a_time_goes_at_once_as_before(session_factory, clock) -> None:
    from classroom.outbox import replace_copies
    from tests.support.notices import notice_of

    await store_conversations(session_factory, [conversation("19:chat", "https://smba.example/")])
    await queue_texts(session_factory, [("19:chat", "card:1:chat")], due_at=clock.now() - timedelta(minutes=5))
    a = store(session_factory, "A")
    [claim] = await a.claim(clock.now(), 10)
    async with session_factory.begin() as session:
        await replace_copies(session, "card:1:", notice_of("text", {"text": "v2"}), now=clock.now())
    recorded_at = clock.now() + timedelta(milliseconds=300)
    assert await sent(a, claim, recorded_at, activity_id="msg-1")
    row = (await statuses(session_factory))["card:1:chat"]
    assert (row.status, row.due_at) == (NotificationStatus.PENDING, recorded_at)
