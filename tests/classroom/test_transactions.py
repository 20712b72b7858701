"""``in_transaction``: one try without tenacity's set-up when it commits, the usual retries after a conflict."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

import classroom.transactions as transactions
from classroom.errors import TryAgain
from classroom.transactions import in_transaction


def _locked() -> OperationalError:
    return OperationalError("UPDATE course_runs ...", {}, sqlite3.OperationalError("database is locked"))


class _Unit:
    """Fails with ``errors`` in turn, then answers 42; counts its runs."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.runs = 0

    async def __call__(self, session: AsyncSession) -> int:
        self.runs += 1
        if self.errors:
            raise self.errors.pop(0)
        return 42


@pytest.fixture
def no_retry_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("tenacity's loop was set up for a transaction that committed first time")

    monkeypatch.setattr(transactions, "AsyncRetrying", refuse)


async def test_a_transaction_that_commits_first_time_never_sets_up_the_retry_loop(
    session_factory, no_retry_loop: None
) -> None:
    unit = _Unit()
    assert await in_transaction(session_factory, unit) == 42
    assert unit.runs == 1


async def test_an_error_that_is_not_a_conflict_is_raised_at_once(session_factory, no_retry_loop: None) -> None:
    unit = _Unit(ValueError("bad input"))
    with pytest.raises(ValueError, match="bad input"):
        await in_transaction(session_factory, unit)
    assert unit.runs == 1


async def test_conflicts_are_retried_until_the_transaction_commits(session_factory) -> None:
    unit = _Unit(_locked(), _locked())
    assert await in_transaction(session_factory, unit) == 42
    assert unit.runs == 3


async def test_a_conflict_that_outlasts_every_attempt_asks_to_try_again(session_factory) -> None:
    unit = _Unit(*[_locked() for _ in range(3)])
    with pytest.raises(TryAgain):
        await in_transaction(session_factory, unit, attempts=3)
    assert unit.runs == 3
    single = _Unit(_locked())
    with pytest.raises(TryAgain):
        await in_transaction(session_factory, single, attempts=1)
    assert single.runs == 1
