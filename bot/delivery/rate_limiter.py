"""One rate limiter for every proactive send of the process: Teams' per-conversation windows and an app ceiling.

Teams allows a bot, per conversation, 7 messages in any 1 s, 8 in 2 s, 60 in 30 s and 1800 in an hour, and
about 50 requests a second per app overall; over a limit it answers 429. We keep a sliding log of send times
per conversation and for the app, and a caller waits (``asyncio`` sleep, never blocking the loop) until every
window has room. Waiting for the app ceiling is a queue (oldest message first), so a busy
conversation never starves the others of app capacity it is not using.

App sends are also spread evenly (a virtual schedule one gap apart, GCRA-style): sent in bursts, a few
milliseconds of network jitter can carry the next second's burst into Teams' window and cost a 429, while
evenly spread sends tolerate jitter of most of a gap (15 ms at 49/s). The schedule is virtual, so a send that
woke a little late (a busy event loop) does not push every later one back.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.delivery.priority_lock import PriorityLock


@dataclass(frozen=True)
class Window:
    """At most ``limit`` sends in any ``seconds``-long interval."""

    limit: int
    seconds: float

    def __post_init__(self) -> None:
        if self.limit < 1 or self.seconds <= 0:
            raise ValueError(f"a window needs a positive limit and length, got {self}")


TEAMS_CONVERSATION_WINDOWS = (Window(7, 1.0), Window(8, 2.0), Window(60, 30.0), Window(1800, 3600.0))
DEFAULT_APP_PER_SECOND = 49  # just under Teams' ~50 per second per app
# How much of a gap an app send may come early, to catch up after one that woke late on a busy event loop.
CATCH_UP = 0.25


@dataclass(frozen=True)
class RateLimits:
    conversation: tuple[Window, ...] = TEAMS_CONVERSATION_WINDOWS
    app_per_second: int = DEFAULT_APP_PER_SECOND  # replicas share Teams' app limit by each taking a share
    # Added to each per-conversation window: our clock and Teams' see a send at slightly different times.
    conversation_margin: float = 0.05
    # Replacements of one message (a live card) at least this far apart, however late the one before went out.
    message_gap: float = 1.0

    def __post_init__(self) -> None:
        if self.app_per_second < 1:
            raise ValueError("the app ceiling must be at least 1 per second")

    @property
    def app(self) -> tuple[Window, ...]:
        return (Window(self.app_per_second, 1.0),)

    @property
    def app_spacing(self) -> float:
        """The even gap between the app's sends (20 ms at 49/s)."""
        return 1.0 / self.app_per_second


class Timer(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _wait_for(windows: Iterable[Window], log: deque[float], now: float, margin: float) -> float:
    """Seconds until one more send fits every window, given the sorted send times in ``log``."""
    wait = 0.0
    for window in windows:
        if len(log) >= window.limit:
            # The send ``limit`` places back must have left the window before another may enter it.
            wait = max(wait, log[-window.limit] + window.seconds + margin - now)
    return wait


class RateLimiter:
    """Admits sends so that no conversation window and no app window is ever exceeded."""

    SWEEP_EVERY = 1024  # acquisitions between sweeps of idle conversations

    def __init__(self, limits: RateLimits | None = None, timer: Timer | None = None) -> None:
        self.limits = limits or RateLimits()
        self._timer = timer or SystemTimer()
        self._conversations: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}
        self._replaced_at: dict[str, float] = {}  # message -> when it was last replaced
        self._app: deque[float] = deque()
        self._app_lock = PriorityLock()
        self._app_next = 0.0  # the virtual schedule's next slot
        self._app_slack = self.limits.app_spacing * CATCH_UP
        self._horizon = max(w.seconds for w in self.limits.conversation) + self.limits.conversation_margin
        self._app_horizon = max(w.seconds for w in self.limits.app)
        self._since_sweep = 0

    def seed(self, sends: Iterable[tuple[str, float]]) -> None:
        """Count sends made before this limiter existed, as ``(conversation, seconds ago)`` pairs.

        A restarted process reloads what it sent in the last half minute, so a quick restart cannot send a
        conversation a second burst inside Teams' windows.
        """
        now = self._timer.monotonic()
        for key, age in sorted(sends, key=lambda pair: -pair[1]):
            log = self._conversations.setdefault(key, deque())
            log.append(now - max(0.0, age))
            self._app.append(now - max(0.0, age))
        for log in (*self._conversations.values(), self._app):
            ordered = sorted(log)
            log.clear()
            log.extend(ordered)

    def block(self, key: str, seconds: float) -> None:
        """Hold back a conversation Teams throttled (its Retry-After), on top of the windows."""
        until = self._timer.monotonic() + max(0.0, seconds)
        self._blocked_until[key] = max(until, self._blocked_until.get(key, 0.0))

    def _conversation_wait(self, key: str, now: float) -> float:
        log = self._conversations.get(key)
        wait = self._blocked_until.get(key, now) - now
        if log:
            wait = max(wait, _wait_for(self.limits.conversation, log, now, self.limits.conversation_margin))
        return wait

    def _message_wait(self, message: str | None, now: float) -> float:
        last = self._replaced_at.get(message) if message is not None else None
        # With the windows' margin: Teams (and whoever counts) sees each request a little later or sooner than sent.
        return 0.0 if last is None else last + self.limits.message_gap + self.limits.conversation_margin - now

    async def acquire(self, key: str, priority: float = 0.0, *, replacing: str | None = None) -> None:
        """Wait until a send to conversation ``key`` fits every window, and count it as sent now.

        Sends ready at the same time take the app's slots in ``priority`` order (lowest first; the dispatcher
        passes when the message fell due), first come first served among equals. ``replacing``: the message
        this send replaces (a live card), which also waits until ``message_gap`` after its last replacement, so
        a card updated once a second on schedule is never updated twice in a second when one update went late.
        """
        while True:
            now = self._timer.monotonic()
            wait = max(self._conversation_wait(key, now), self._message_wait(replacing, now))
            if wait > 0:
                await self._timer.sleep(wait)
                continue
            async with self._app_lock.hold(priority):
                while (wait := self._app_wait(self._timer.monotonic())) > 0:
                    await self._timer.sleep(wait)
                now = self._timer.monotonic()
                if self._conversation_wait(key, now) > 0 or self._message_wait(replacing, now) > 0:
                    continue  # another send to this conversation (or message) went first while we queued
                self._record(key, now)
                if replacing is not None:
                    self._replaced_at[replacing] = now
                return

    def replaced(self, message: str) -> None:
        """A replacement of ``message`` was answered just now: its next waits ``message_gap`` from here, not only
        from when this one was admitted, since a loaded process may put a request on the wire well after that
        (and Teams counts when requests arrive)."""
        self._replaced_at[message] = max(self._replaced_at.get(message, 0.0), self._timer.monotonic())

    def _app_wait(self, now: float) -> float:
        return max(self._app_next - self._app_slack - now, _wait_for(self.limits.app, self._app, now, 0.0))

    def _record(self, key: str, now: float) -> None:
        self._app_next = max(self._app_next, now) + self.limits.app_spacing
        log = self._conversations.setdefault(key, deque())
        log.append(now)
        while log and log[0] <= now - self._horizon:
            log.popleft()
        self._app.append(now)
        while self._app and self._app[0] <= now - self._app_horizon:
            self._app.popleft()
        self._since_sweep += 1
        if self._since_sweep >= self.SWEEP_EVERY:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        # Forget conversations whose every send has left every window, so memory tracks active chats only.
        self._since_sweep = 0
        for key in [k for k, log in self._conversations.items() if not log or log[-1] <= now - self._horizon]:
            del self._conversations[key]
        for key in [k for k, until in self._blocked_until.items() if until <= now]:
            del self._blocked_until[key]
        for key in [k for k, at in self._replaced_at.items() if at <= now - self.limits.message_gap]:
            del self._replaced_at[key]

    @property
    def tracked_conversations(self) -> int:
        return len(self._conversations)
