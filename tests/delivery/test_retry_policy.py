"""What each Teams answer means for a notification."""

from __future__ import annotations

import random

import pytest

from bot.connector import ConnectorResponse, ConnectorTimeout
from bot.delivery.retry_policy import RetryPolicy, Verdict

POLICY = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=8.0)


def reply(status: int, retry_after: float | None = None, code: str | None = None) -> ConnectorResponse:
    body = {"error": {"code": code, "message": code}} if code else None
    return ConnectorResponse("POST", "http://connector/v3/conversations/x/activities", status, body, retry_after)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (201, Verdict.DELIVERED),
        (429, Verdict.RETRY),
        (412, Verdict.RETRY),
        (502, Verdict.RETRY),
        (503, Verdict.RETRY),
        (504, Verdict.RETRY),
        (500, Verdict.RETRY),
        (403, Verdict.UNDELIVERABLE),
        (404, Verdict.UNDELIVERABLE),
        (400, Verdict.DEAD),
        (413, Verdict.DEAD),
        (409, Verdict.DEAD),
    ],
)
def test_status_classification(status: int, verdict: Verdict) -> None:
    assert POLICY.after_reply(reply(status), 1, random.Random(0)).verdict is verdict


def test_429_waits_exactly_retry_after_and_holds_the_conversation() -> None:
    decision = POLICY.after_reply(reply(429, retry_after=7.5), 1, random.Random(0))
    assert (decision.verdict, decision.delay, decision.throttled) == (Verdict.RETRY, 7.5, True)
    assert "Retry-After 7.5s" in decision.reason


def test_absurd_retry_after_is_capped() -> None:
    assert POLICY.after_reply(reply(429, retry_after=10**7), 1, random.Random(0)).delay == 3600


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (5, 8.0), (9, 8.0)]:
        delays = {RetryPolicy(max_attempts=20, base_delay=1.0, max_delay=8.0).backoff(attempt, rng) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, so replicas do not retry in lockstep


def test_attempts_are_bounded() -> None:
    decision = POLICY.after_reply(reply(503, code="ServiceUnavailable"), 4, random.Random(0))
    assert decision.verdict is Verdict.DEAD
    assert decision.reason == "gave up after 4 attempts: HTTP 503 ServiceUnavailable"
    assert POLICY.after_reply(reply(429, retry_after=1), 4, random.Random(0)).verdict is Verdict.DEAD


def test_no_answer_is_retried_then_dead() -> None:
    error = ConnectorTimeout("POST http://connector timed out")
    assert POLICY.after_error(error, 1, random.Random(0)).verdict is Verdict.RETRY
    final = POLICY.after_error(error, 4, random.Random(0))
    assert final.verdict is Verdict.DEAD and "ConnectorTimeout" in final.reason


def test_reasons_name_the_teams_error() -> None:
    decision = POLICY.after_reply(reply(403, code="BotDisabledByAdmin"), 1, random.Random(0))
    assert decision.reason.startswith("HTTP 403 BotDisabledByAdmin")


@pytest.mark.parametrize(("status", "code"), [(500, "UserNotFound"), (400, "ConversationNotFound")])
def test_a_code_that_says_nobody_is_there_is_undeliverable_whatever_the_status(status: int, code: str) -> None:
    """The Agents Playground answers 500 UserNotFound for a 1:1 chat it never opened: retrying cannot help."""
    decision = POLICY.after_reply(reply(status, code=code), 1, random.Random(0))
    assert decision.verdict is Verdict.UNDELIVERABLE
    assert decision.reason.startswith(f"HTTP {status} {code}: the app is not installed there")
