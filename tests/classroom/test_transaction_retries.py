"""``in_transaction`` runs a unit again after a transient conflict, gives up with ``TryAgain`` after its attempts,
and lets any other error through at once (``classroom/transactions.py``); a unit that commits first time never
pays for tenacity's retry loop."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from classroom import transactions
from classroom.errors import TryAgain
from classroom.transactions import in_transaction


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
