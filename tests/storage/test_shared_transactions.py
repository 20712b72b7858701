"""Units of turns that arrive together share one transaction; each gets its own result, and a failure keeps nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, func, insert, select

from storage.models import ActivityReceipt
from storage.shared_transactions import SharedTransactions

EXPIRES = datetime(2030, 1, 1, tzinfo=UTC)


def _claim(key: str):  # type: ignore[no-untyped-def]
    def unit(connection: Connection) -> str:
        connection.execute(insert(ActivityReceipt.__table__).values(key=key, expires_at=EXPIRES))
        return key

    return unit


def _fail(connection: Connection) -> None:
    raise RuntimeError("this unit fails")


def _shared(session_factory) -> SharedTransactions:  # type: ignore[no-untyped-def]
    async def transaction(work):  # type: ignore[no-untyped-def]
        async with session_factory.begin() as session:
            return await session.run_sync(lambda synchronous: work(synchronous.connection()))

    return SharedTransactions(transaction)


async def _keys(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return sorted(await session.scalars(select(ActivityReceipt.key)))


async def test_units_started_together_share_one_transaction_and_each_gets_its_result(session_factory) -> None:
    shared = _shared(session_factory)
    results = await asyncio.gather(*(shared.run(_claim(f"k{n}")) for n in range(5)))
    assert results == [f"k{n}" for n in range(5)]
    assert shared.transactions == 1
    assert await _keys(session_factory) == [f"k{n}" for n in range(5)]  # committed when run returned
    assert await shared.run(_claim("later")) == "later"  # one arriving after the batch gets a transaction of its own
    assert shared.transactions == 2


async def test_a_failing_unit_fails_only_its_own_turn(session_factory) -> None:
    """The batch's transaction keeps nothing of it; then each unit runs on its own, so the others still commit."""
    shared = _shared(session_factory)
    outcomes = await asyncio.gather(
        shared.run(_claim("a")), shared.run(_fail), shared.run(_claim("b")), return_exceptions=True
    )
    assert outcomes[0] == "a" and isinstance(outcomes[1], RuntimeError) and outcomes[2] == "b"
    assert await _keys(session_factory) == ["a", "b"]
    assert shared.transactions == 4  # the batch, then each unit on its own


async def test_a_turn_cancelled_after_its_transaction_began_has_its_work_undone(session_factory) -> None:
    """Nobody is left to act on what its unit committed (a claim: the turn would never run, and Teams' redelivery
    would be taken for done), so its ``abandoned`` step undoes it; the other turns of the batch get their results."""
    began, go_on = asyncio.Event(), asyncio.Event()

    async def slow_transaction(unit):  # type: ignore[no-untyped-def]
        began.set()
        await go_on.wait()  # the database, slow for a moment
        async with session_factory.begin() as session:
            return await session.run_sync(lambda synchronous: unit(synchronous.connection()))

    undone: list[str] = []

    async def undo(key: str) -> None:
        undone.append(key)

    shared = SharedTransactions(slow_transaction)
    cancelled = asyncio.ensure_future(shared.run(_claim("gone"), abandoned=undo))
    kept = asyncio.ensure_future(shared.run(_claim("kept"), abandoned=undo))
    await began.wait()
    cancelled.cancel()
    go_on.set()
    assert await kept == "kept"
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert undone == ["gone"]


async def test_the_other_turns_get_their_results_before_a_cancelled_turns_work_is_undone(session_factory) -> None:
    """Undoing is a transaction of its own, which a busy database may hold up: the batch's other turns do not wait
    for it (here the undo finishes only once the kept turn has its result)."""
    began, go_on = asyncio.Event(), asyncio.Event()

    async def slow_transaction(unit):  # type: ignore[no-untyped-def]
        began.set()
        await go_on.wait()
        async with session_factory.begin() as session:
            return await session.run_sync(lambda synchronous: unit(synchronous.connection()))

    shared = SharedTransactions(slow_transaction)
    kept_answered = asyncio.Event()

    async def undo(_key: str) -> None:
        await kept_answered.wait()

    cancelled = asyncio.ensure_future(shared.run(_claim("gone"), abandoned=undo))
    kept = asyncio.ensure_future(shared.run(_claim("kept"), abandoned=undo))
    await began.wait()
    cancelled.cancel()
    go_on.set()
    assert await asyncio.wait_for(kept, timeout=10) == "kept"  # a bound, not a wait: it fails, never hangs
    kept_answered.set()
    await asyncio.gather(*shared._running)


async def test_after_a_failed_batch_a_turn_cancelled_meanwhile_is_not_run_again(session_factory) -> None:
    """The batch kept nothing of the cancelled turn, and nobody is left to act on a new run: it is skipped (not
    committed and then undone), and the other turns go on."""
    began, go_on = asyncio.Event(), asyncio.Event()
    transactions = 0

    async def first_one_slow(unit):  # type: ignore[no-untyped-def]
        nonlocal transactions
        transactions += 1
        if transactions == 1:
            began.set()
            await go_on.wait()
        async with session_factory.begin() as session:
            return await session.run_sync(lambda synchronous: unit(synchronous.connection()))

    undone: list[str] = []

    async def undo(key: str) -> None:
        undone.append(key)

    shared = SharedTransactions(first_one_slow)
    cancelled = asyncio.ensure_future(shared.run(_claim("gone"), abandoned=undo))
    failing = asyncio.ensure_future(shared.run(_fail))
    kept = asyncio.ensure_future(shared.run(_claim("kept")))
    await began.wait()
    cancelled.cancel()
    go_on.set()
    assert await kept == "kept"
    with pytest.raises(RuntimeError):
        await failing
    await asyncio.gather(*shared._running)
    assert await _keys(session_factory) == ["kept"] and undone == []
    assert shared.transactions == 3  # the batch, then the failing unit and the kept one on their own


async def test_a_batch_cancelled_while_its_units_run_again_leaves_no_turn_waiting(session_factory) -> None:
    """Shutting down cancels the batch's task wherever it is, here in a unit's own run after the batch failed:
    every turn of the batch learns it."""
    rerunning = asyncio.Event()
    transactions = 0

    async def transaction(unit):  # type: ignore[no-untyped-def]
        nonlocal transactions
        transactions += 1
        if transactions == 2:
            rerunning.set()
            await asyncio.Event().wait()  # held until cancelled
        async with session_factory.begin() as session:
            return await session.run_sync(lambda synchronous: unit(synchronous.connection()))

    shared = SharedTransactions(transaction)
    turns = [shared.run(_claim("k1")), shared.run(_fail), shared.run(_claim("k3"))]
    waiting = [asyncio.ensure_future(turn) for turn in turns]
    await rerunning.wait()
    for task in list(shared._running):
        task.cancel()
    outcomes = await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), timeout=10)
    assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes), outcomes


async def test_a_unit_whose_turn_was_cancelled_while_waiting_is_not_run(session_factory) -> None:
    shared = _shared(session_factory)
    cancelled = asyncio.ensure_future(shared.run(_claim("gone")))
    kept = asyncio.ensure_future(shared.run(_claim("kept")))
    await asyncio.sleep(0)  # both have joined the batch, which has not run yet
    cancelled.cancel()
    assert await kept == "kept"
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert await _keys(session_factory) == ["kept"]


async def test_a_batch_of_a_classroom_commits_every_claim_once(session_factory) -> None:
    """Three hundred turns at once (a poll's burst): every unit runs once, in far fewer transactions."""
    shared = _shared(session_factory)
    await asyncio.gather(*(shared.run(_claim(f"voter-{n:03d}")) for n in range(300)))
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ActivityReceipt)) == 300
    assert shared.transactions == 1
