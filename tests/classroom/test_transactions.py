"""``in_transaction``: a transient conflict runs the whole unit again after a random back-off; anything else is
raised at once; still conflicting after every attempt is ``TryAgain``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from classroom import transactions
from classroom.errors import TryAgain
from classroom.transactions import DEFAULT_ATTEMPTS, backoff, in_transaction


class _Locked(Exception):
    sqlite_errorcode = 5  # SQLITE_BUSY


class _Session:
    async def __aenter__(self) -> _Session:
        return self

    async def __aexit__(self, *_: Any) -> None:
        return None


class _Factory:
    def begin(self) -> _Session:
        return _Session()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(transactions.asyncio, "sleep", sleep)
    return slept


def _conflict() -> DBAPIError:
    return DBAPIError("UPDATE ...", {}, _Locked("database is locked"))


async def test_a_transient_conflict_runs_the_unit_again(waits: list[float]) -> None:
    calls: list[int] = []

    async def unit(_session: Any) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _conflict()
        return "done"

    assert await in_transaction(_Factory(), unit) == "done"  # type: ignore[arg-type]
    assert len(calls) == 3 and len(waits) == 2
    assert 0 <= waits[0] <= 0.01 and 0 <= waits[1] <= 0.02


async def test_anything_else_is_raised_at_once(waits: list[float]) -> None:
    calls: list[int] = []

    async def unit(_session: Any) -> None:
        calls.append(1)
        raise ValueError("not a conflict")

    with pytest.raises(ValueError):
        await in_transaction(_Factory(), unit)  # type: ignore[arg-type]
    assert len(calls) == 1 and waits == []


@pytest.mark.parametrize("attempts", [1, 3, DEFAULT_ATTEMPTS])
async def test_still_conflicting_after_every_attempt_is_try_again(waits: list[float], attempts: int) -> None:
    calls: list[int] = []

    async def unit(_session: Any) -> None:
        calls.append(1)
        raise _conflict()

    with pytest.raises(TryAgain) as raised:
        await in_transaction(_Factory(), unit, attempts=attempts)  # type: ignore[arg-type]
    assert len(calls) == attempts and len(waits) == attempts - 1
    assert isinstance(raised.value.__cause__, DBAPIError)


def test_the_back_off_grows_exponentially_up_to_two_seconds() -> None:
    for attempt, ceiling in ((1, 0.01), (2, 0.02), (5, 0.16), (8, 1.28), (12, 2.0)):
        assert all(0 <= backoff(attempt) <= ceiling for _ in range(200))
