"""Proactive delivery against a connector that enforces Teams' limits: how close to the platform's minimum?

Two runs, each with a fresh fake connector in its own process (``tests/support/throttling_connector.py``) and
the production delivery settings (app ceiling 49/s, Teams' per-conversation windows, default retries):

1. 1,000 notifications to 1,000 conversations through a connector that allows 50 requests a second and answers
   5% of requests 429 (half with ``Retry-After: 1``, half without). Platform minimum: 1,000 / 50 = 20 s.
2. 100 notifications to one conversation (no injected faults). Platform minimum: the earliest schedule Teams'
   per-conversation windows (7/1 s, 8/2 s, 60/30 s, 1800/h) allow, computed from the windows.

Elapsed runs from the dispatcher's start to the last outcome recorded. Lost and duplicate counts come from what
the connector received. Prints details, then a final ``key=value`` line. Usage::

    python benchmarks/delivery.py [--database-url postgresql+asyncpg://...] [--count 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.connector import BotConnectorClient, EdgeCredentialsFactory, SessionHolder  # noqa: E402
from bot.delivery.config import DeliverySettings  # noqa: E402
from bot.delivery.dispatcher import OutboxDispatcher  # noqa: E402
from bot.delivery.rate_limiter import TEAMS_CONVERSATION_WINDOWS, RateLimiter, Window  # noqa: E402
from bot.delivery.renderers import default_renderers  # noqa: E402
from classroom.outbox import TextNotice, enqueue  # noqa: E402
from storage.engine import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import ConversationRecord  # noqa: E402

PLATFORM_PER_SECOND = 50


class ErrorCount(logging.Handler):
    """Counts errors the delivery code logs (failed claims or writes would show here)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        sys.stderr.write(self.format(record) + "\n")


def shortest_schedule(count: int, windows: tuple[Window, ...]) -> float:
    """Seconds from the first to the last of ``count`` sends at the earliest times the windows allow."""
    times: list[float] = []
    for i in range(count):
        times.append(max([0.0] + [times[i - w.limit] + w.seconds for w in windows if i >= w.limit]))
    return times[-1]


class FakeConnectorProcess:
    """``tests/support/throttling_connector.py`` in its own process, so it never competes with the bot's loop."""

    def __init__(self, random_429_rate: float) -> None:
        self.args = [
            "--app-per-second",
            str(PLATFORM_PER_SECOND),
            "--random-429-rate",
            str(random_429_rate),
            "--retry-after",
            "1",
            "--seed",
            "7",
        ]
        self.process: asyncio.subprocess.Process | None = None
        self.service_url = ""
        self.report: dict[str, Any] = {}

    async def __aenter__(self) -> FakeConnectorProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.throttling_connector",
            *self.args,
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        self.service_url = json.loads(await self.process.stdout.readline())["service_url"]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.process is not None and self.process.stdout is not None
        self.process.terminate()  # it answers with its counters and what it received
        self.report = json.loads((await self.process.stdout.read()).decode().strip().splitlines()[-1])
        await self.process.wait()


async def run_scenario(
    database_url: str, http: aiohttp.ClientSession, *, chats: int, count: int, random_429_rate: float
) -> dict[str, Any]:
    connector = FakeConnectorProcess(random_429_rate)
    async with connector:
        engine = create_engine(database_url)
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        run = uuid.uuid4().hex[:6]
        ids = [f"19:{run}-chat-{i}@thread.v2" for i in range(chats)]
        async with session_factory.begin() as session:
            session.add_all(
                ConversationRecord(
                    conversation_id=cid,
                    conversation_type="groupChat",
                    tenant_id="tenant",
                    service_url=connector.service_url,
                    reference={"bot": {"id": "28:bot", "name": "Classroom"}, "conversation": {"id": cid}},
                )
                for cid in ids
            )
            for i in range(count):
                await enqueue(
                    session,
                    TextNotice(text=f"{run}-{i:05}"),
                    due_at=datetime.now(UTC),
                    dedupe_key=f"bench:{run}:{i}",
                    conversation_key=ids[i % chats],
                )
        settings = DeliverySettings()
        holder = SessionHolder(http)
        dispatcher = OutboxDispatcher(
            session_factory,
            BotConnectorClient(holder, EdgeCredentialsFactory(app_id="", sessions=holder)),
            default_renderers(),
            RateLimiter(settings.rate_limits()),
            policy=settings.retry_policy(),
            config=settings.dispatcher_config(),
        )
        cpu_before = time.process_time()
        started = time.monotonic()
        await dispatcher.start()
        await dispatcher.drained()
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_before
        await dispatcher.stop()
        await engine.dispose()
    stats = connector.report
    received = Counter(text for _chat, text in stats["deliveries"] if text.startswith(run))
    expected = {f"{run}-{i:05}" for i in range(count)}
    return {
        "elapsed": elapsed,
        "cpu_seconds": cpu,
        "lost": len(expected - set(received)),
        "duplicates": sum(n - 1 for n in received.values()),
        "requests": stats["requests"],
        "violations": stats["violations"],
        "injected": stats["injected"],
        "retried": dispatcher.stats.retried,
        "dead": dispatcher.stats.dead,
    }


async def main(args: argparse.Namespace) -> None:
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    with tempfile.TemporaryDirectory() as scratch:
        database_url = args.database_url or f"sqlite+aiosqlite:///{scratch}/delivery-bench.sqlite3"
        async with aiohttp.ClientSession() as http:
            many = await run_scenario(database_url, http, chats=args.count, count=args.count, random_429_rate=0.05)
            one = await run_scenario(database_url, http, chats=1, count=args.single, random_429_rate=0.0)
    platform_minimum = args.count / PLATFORM_PER_SECOND
    single_minimum = shortest_schedule(args.single, TEAMS_CONVERSATION_WINDOWS)
    ratio_many = many["elapsed"] / platform_minimum
    ratio_one = one["elapsed"] / single_minimum if single_minimum else float("nan")
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB; the bot side only
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    print(f"database: {backend}")
    print(
        f"{args.count} notifications to {args.count} conversations, connector 50/s with 5% 429: "
        f"{many['elapsed']:.2f} s vs platform minimum {platform_minimum:.2f} s; requests={many['requests']} "
        f"injected={many['injected']} retried={many['retried']} dead={many['dead']} "
        f"limit_violations={many['violations']} cpu={many['cpu_seconds']:.1f} s"
    )
    print(
        f"{args.single} notifications to one conversation: {one['elapsed']:.2f} s vs shortest schedule the "
        f"windows allow {single_minimum:.2f} s; requests={one['requests']} "
        f"limit_violations={one['violations']} lost={one['lost']} duplicates={one['duplicates']}"
    )
    print(
        f"bot peak memory (max RSS of this process; the connector runs in its own): {peak_rss_mb:.0f} MB; "
        f"errors logged: {errors.count}"
    )
    print(f"ratio_single_conversation={ratio_one:.3f}")
    print(
        f"ratio_to_platform_minimum={ratio_many:.3f} lost={many['lost']} duplicates={many['duplicates']} "
        f"ratio_single_conversation={ratio_one:.3f} limit_violations={many['violations'] + one['violations']} "
        f"peak_rss_mb={peak_rss_mb:.0f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--single", type=int, default=100)
    asyncio.run(main(parser.parse_args()))
