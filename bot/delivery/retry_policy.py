"""What to do after each attempt: delivered, try again later, or stop for good (and why).

From Teams' guidance: 429 waits for Retry-After (else backs off); 412, 502, 503, 504 and transport failures
back off exponentially with jitter; 403/404 mean the app is not installed there (never added, removed or
blocked) or the conversation is gone, so the recipient is undeliverable at once, and so does an error code that
says so with another status (the Agents Playground answers 500 ``UserNotFound`` for a 1:1 chat it never had);
400/413 will never be accepted, so the row is dead at once. Every retry is bounded: after ``max_attempts`` the
row is dead with the last reason.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from bot.connector import ConnectorResponse

RETRYABLE_STATUSES = frozenset({401, 408, 412, 429, 500, 502, 503, 504})
UNDELIVERABLE_STATUSES = frozenset({403, 404})
# Teams' and the Playground's codes for "no such person or chat here": not worth trying again, whatever the status.
UNDELIVERABLE_ERROR_CODES = frozenset(
    {"UserNotFound", "ConversationNotFound", "BotNotInConversationRoster", "ConversationBlockedByUser"}
)


UNREACHABLE = "the app is not installed there (never added, or removed or blocked), or the chat is gone"


class Verdict(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    UNDELIVERABLE = "undeliverable"
    DEAD = "dead"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str = ""
    delay: float = 0.0  # seconds before the next attempt (RETRY only)
    throttled: bool = False  # Teams told us to wait: hold the whole conversation back, not just this row


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 300.0
    max_retry_after: float = 3600.0  # never trust a Retry-After beyond an hour

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, so retries spread out."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)

    def _retry(self, reason: str, delay: float, attempt: int, *, throttled: bool = False) -> Decision:
        if attempt >= self.max_attempts:
            return Decision(Verdict.DEAD, f"gave up after {attempt} attempts: {reason}")
        return Decision(Verdict.RETRY, reason, delay, throttled)

    def after_reply(self, reply: ConnectorResponse, attempt: int, rng: random.Random) -> Decision:
        """Decide from the HTTP answer to attempt number ``attempt`` (1-based)."""
        if reply.ok:
            return Decision(Verdict.DELIVERED)
        reason = f"HTTP {reply.status}" + (f" {reply.error_code}" if reply.error_code else "")
        if reply.status == 429 and reply.retry_after is not None:
            delay = min(reply.retry_after, self.max_retry_after)
            return self._retry(f"{reason} (Retry-After {reply.retry_after:g}s)", delay, attempt, throttled=True)
        if reply.status in UNDELIVERABLE_STATUSES or reply.error_code in UNDELIVERABLE_ERROR_CODES:
            return Decision(Verdict.UNDELIVERABLE, f"{reason}: {UNREACHABLE}")
        if reply.status in RETRYABLE_STATUSES:
            return self._retry(reason, self.backoff(attempt, rng), attempt)
        if 500 <= reply.status < 600:
            return self._retry(reason, self.backoff(attempt, rng), attempt)
        return Decision(Verdict.DEAD, f"{reason}: Teams will not accept this message")

    def after_error(self, error: BaseException, attempt: int, rng: random.Random) -> Decision:
        """Decide after a request that got no answer (timeout, refused or reset connection, no token)."""
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return self._retry(reason, self.backoff(attempt, rng), attempt)
