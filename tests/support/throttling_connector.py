"""The fake Bot Connector (``tests/support/fake_connector.py``), enforcing Teams' rate limits and injecting
the faults Teams produces, for proactive-delivery tests and the delivery benchmark.

Limits are sliding windows over arrival times: per conversation Teams' 7/1 s, 8/2 s, 60/30 s, 1800/h (creating
conversations shares one such bucket), and per app 50/s by default. A request over a limit is answered 429 and
counted as a *violation*, which a well-behaved sender never causes. On top, faults that are not the sender's
fault:

- ``script(conversation_id, steps)``: the answers to that conversation's next requests, in order, e.g.
  ``["429:0.2", "429", "503", "timeout", "403"]``. ``429:S`` carries ``Retry-After: S``; ``timeout`` holds the
  request past the client's timeout and then fails it *without* delivering (the request never reached Teams).
  After the script, requests succeed.
- ``forbidden`` / ``gone``: conversations (or, for creating a 1:1 chat, member ids) answered 403 / 404.
- ``random_429_rate``: a seeded share of requests answered 429, half of them with ``Retry-After``.

Standalone (the benchmark runs it so): ``python -m tests.support.throttling_connector`` prints
``{"service_url": …}``, serves until SIGTERM, then prints its counters and deliveries as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from bot.delivery.rate_limiter import TEAMS_CONVERSATION_WINDOWS, Window
from tests.support.fake_connector import FakeConnector

CREATE_KEY = "create-conversation"


@dataclass
class Delivery:
    conversation_id: str
    activity: dict[str, Any]
    activity_id: str
    arrived: float

    @property
    def text(self) -> str:
        return str(self.activity.get("text", ""))


@dataclass
class Violation:
    key: str
    window: Window
    arrived: float


@dataclass
class ConnectorStats:
    requests: int = 0
    violations: list[Violation] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)  # fault -> how many requests it answered


class _SlidingLog:
    def __init__(self, windows: Iterable[Window]) -> None:
        self.windows = tuple(windows)
        self.horizon = max(w.seconds for w in self.windows)
        self.times: deque[float] = deque()

    def add(self, now: float) -> Window | None:
        """Count an arrival; return a window it pushed over its limit, if any."""
        self.times.append(now)
        while self.times and self.times[0] <= now - self.horizon:
            self.times.popleft()
        for window in self.windows:
            if len(self.times) > window.limit and self.times[-window.limit - 1] > now - window.seconds:
                return window
        return None


def _error(status: int, code: str, retry_after: float | None = None) -> web.Response:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
    return web.json_response({"error": {"code": code, "message": code}}, status=status, headers=headers)


class ThrottlingConnector(FakeConnector):
    def __init__(
        self,
        *,
        conversation_windows: Iterable[Window] = TEAMS_CONVERSATION_WINDOWS,
        app_windows: Iterable[Window] = (Window(50, 1.0),),
        forbidden: Iterable[str] = (),
        gone: Iterable[str] = (),
        random_429_rate: float = 0.0,
        retry_after_seconds: float = 1.0,
        hang_seconds: float = 2.0,
        seed: int = 0,
        record: bool = True,
    ) -> None:
        super().__init__(record=record)
        self._conversation_windows = tuple(conversation_windows)
        self._logs: dict[str, _SlidingLog] = {}
        self._app = _SlidingLog(app_windows)
        self._scripts: dict[str, deque[str]] = {}
        self.forbidden = set(forbidden)
        self.gone = set(gone)
        self._random_429_rate = random_429_rate
        self._retry_after = retry_after_seconds
        self._hang = hang_seconds
        self._rng = random.Random(seed)
        self.stats = ConnectorStats()
        self.deliveries: list[Delivery] = []
        self.created: list[dict[str, Any]] = []
        self.updates: list[Delivery] = []  # messages replaced (PUT), which count against the limits too
        self._watchers: list[tuple[int, asyncio.Event]] = []

    def script(self, key: str, steps: Iterable[str]) -> None:
        """Answer the next requests for ``key`` (a conversation id, or ``CREATE_KEY``) with ``steps``."""
        self._scripts.setdefault(key, deque()).extend(steps)

    def delivered_texts(self) -> Counter[str]:
        return Counter(d.text for d in self.deliveries)

    async def wait_for_deliveries(self, count: int) -> None:
        """Resolve once at least ``count`` messages were delivered (an event, not a poll)."""
        if len(self.deliveries) >= count:
            return
        event = asyncio.Event()
        self._watchers.append((count, event))
        await event.wait()

    def report(self) -> dict[str, Any]:
        return {
            "requests": self.stats.requests,
            "violations": len(self.stats.violations),
            "injected": dict(self.stats.injected),
            "deliveries": [[d.conversation_id, d.text] for d in self.deliveries],
            "created": len(self.created),
        }

    # -- in front of the fake connector's API ---------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        parts = [unquote(p) for p in request.raw_path.split("?", 1)[0][len(self.prefix) :].strip("/").split("/")]
        sending = request.method == "POST" and len(parts) == 4 and parts[:2] == ["v3", "conversations"]
        sending = sending and parts[3] == "activities"
        creating = request.method == "POST" and parts == ["v3", "conversations"]
        updating = request.method == "PUT" and len(parts) == 5 and parts[:2] == ["v3", "conversations"]
        if not (sending or creating or updating):
            return await super()._handle(request)
        body = await request.json()
        if creating:
            member = str(((body.get("members") or [{}])[0]).get("id", ""))
            refused = await self._admit(CREATE_KEY, forbidden=member in self.forbidden)
        else:
            refused = await self._admit(parts[2])
        if refused is not None:
            return refused
        response = await super()._handle(request)
        if sending and response.status == 201:
            assert isinstance(response, web.Response) and response.body is not None
            activity_id = json.loads(bytes(response.body))["id"]  # type: ignore[arg-type]
            self._delivered(Delivery(parts[2], body, activity_id, time.monotonic()))
        elif creating and response.status == 201:
            self.created.append(body)
        elif updating and response.status == 200:
            self.updates.append(Delivery(parts[2], body, parts[4], time.monotonic()))
        return response

    def _create_conversation(self, body: Any) -> web.Response:
        # The same person always gets the same 1:1 chat id, as in Teams.
        member = ((body.get("members") or [{}])[0]).get("id", "") if isinstance(body, dict) else ""
        return web.json_response({"id": f"a:{member}"}, status=201)

    def _delivered(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        for watcher in [w for w in self._watchers if len(self.deliveries) >= w[0]]:
            self._watchers.remove(watcher)
            watcher[1].set()

    async def _admit(self, key: str, *, forbidden: bool = False) -> web.Response | None:
        now = time.monotonic()
        self.stats.requests += 1
        if forbidden or key in self.forbidden:
            return _error(403, "BotNotInConversationRoster")
        if key in self.gone:
            return _error(404, "ConversationNotFound")
        log = self._logs.get(key)
        if log is None:
            log = self._logs[key] = _SlidingLog(self._conversation_windows)
        over = log.add(now) or self._app.add(now)  # every request counts, as it does at Teams
        if over is not None:
            self.stats.violations.append(Violation(key, over, now))
            return _error(429, "Throttled", over.seconds)
        return await self._fault(key)

    async def _fault(self, key: str) -> web.Response | None:
        script = self._scripts.get(key)
        step = script.popleft() if script else None
        if step is None and self._random_429_rate and self._rng.random() < self._random_429_rate:
            step = f"429:{self._retry_after:g}" if self._rng.random() < 0.5 else "429"
        if step is None or step == "ok":
            return None
        self.stats.injected[step] += 1
        if step == "timeout":
            await asyncio.sleep(self._hang)  # the client gives up first; nothing is delivered
            return _error(503, "ServiceUnavailable")
        status, _, seconds = step.partition(":")
        return _error(int(status), f"Injected{status}", float(seconds) if seconds else None)


async def _serve(args: argparse.Namespace) -> None:
    connector = ThrottlingConnector(
        app_windows=(Window(args.app_per_second, 1.0),),
        random_429_rate=args.random_429_rate,
        retry_after_seconds=args.retry_after,
        seed=args.seed,
        record=False,  # deliveries are kept; the request log is not needed here
    )
    await connector.start(args.port)
    print(json.dumps({"service_url": connector.service_url}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await connector.close()
    print(json.dumps(connector.report()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Bot Connector that enforces Teams' rate limits.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--app-per-second", type=int, default=50)
    parser.add_argument("--random-429-rate", type=float, default=0.0)
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
