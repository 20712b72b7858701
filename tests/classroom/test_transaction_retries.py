"""``in_transaction`` runs a unit again after a transient conflict, gives up with ``TryAgain`` after its attempts,
and lets any other error through at once (``classroom/transactions.py``); a unit that commits first time never
pays for tenacity's retry loop."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from classroom import transactions
from classroom.errors import TryAgain
from classroom.transactions import in_read, in_transaction


def _locked() -> OperationalError:
    return OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(transactions.asyncio, "sleep", sleep)
    return waits


async def test_a_transient_conflict_is_retried_until_the_unit_succeeds(session_factory, no_waiting) -> None:
    calls = 0

    async def unit(_session: AsyncSession) -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise _locked()
        return "done"

    assert await in_transaction(session_factory, unit) == "done"
    assert calls == 3 and len(no_waiting) == 2


async def test_still_conflicting_after_every_attempt_is_try_again(session_factory, no_waiting) -> None:
    calls = 0

    async def unit(_session: AsyncSession) -> None:
        nonlocal calls
        calls += 1
        raise _locked()

    with pytest.raises(TryAgain) as raised:
        await in_transaction(session_factory, unit, attempts=3)
    assert calls == 3 and len(no_waiting) == 2
    assert isinstance(raised.value.__cause__, OperationalError)


async def test_any_other_error_is_raised_at_once(session_factory, no_waiting) -> None:
    calls = 0

    async def unit(_session: AsyncSession) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await in_transaction(session_factory, unit)
    assert calls == 1 and no_waiting == []


async def test_a_unit_that_commits_first_time_never_sets_up_the_retry_loop(
    session_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("tenacity's loop was set up for a transaction that committed first time")

    monkeypatch.setattr(transactions, "AsyncRetrying", refuse)

    async def unit(_session: AsyncSession) -> str:
        return "done"

    assert await in_transaction(session_factory, unit) == "done"


async def test_one_attempt_gives_up_at_the_first_conflict(session_factory, no_waiting) -> None:
    calls = 0

    async def unit(_session: AsyncSession) -> None:
        nonlocal calls
        calls += 1
        raise _locked()

    with pytest.raises(TryAgain):
        await in_transaction(session_factory, unit, attempts=1)
    assert calls == 1 and no_waiting == []


async def test_the_waits_grow_from_the_bare_first_try_into_tenacitys_loop(session_factory, no_waiting) -> None:
    """Up to 0.01 s before the second try, 0.02 s before the third, 0.04 s before the fourth: the loop tenacity runs
    after the bare first try carries on the same schedule."""

    async def unit(_session: AsyncSession) -> None:
        raise _locked()

    runs: list[list[float]] = []
    for _ in range(50):
        no_waiting.clear()
        with pytest.raises(TryAgain):
            await in_transaction(session_factory, unit, attempts=4)
        runs.append(list(no_waiting))
    for n, ceiling in enumerate((0.01, 0.02, 0.04)):
        waits = [run[n] for run in runs]
        assert all(0 <= wait <= ceiling for wait in waits) and max(waits) > ceiling / 2, (n, waits)


async def test_a_plain_connection_read_is_retried_like_a_transaction(session_factory, no_waiting) -> None:
    calls = 0

    async def read(connection: AsyncConnection) -> int:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise _locked()
        return (await connection.execute(text("SELECT 7"))).scalar_one()

    assert await in_read(session_factory, read) == 7
    assert calls == 3 and len(no_waiting) == 2

    async def always_locked(_connection: AsyncConnection) -> None:
        raise _locked()

    with pytest.raises(TryAgain):
        await in_read(session_factory, always_locked, attempts=2)
