"""One dispatcher process for multi-process tests: deliver until the outbox is drained, then report.

``python -m tests.support.outbox_worker --database-url URL`` runs a dispatcher (authentication off) against
whatever ``serviceUrl`` the stored conversations name, waits until no row is pending or being sent by anyone,
stops, and prints one JSON line of its counters. Tests kill it with SIGKILL to simulate a crash.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
from datetime import timedelta

import aiohttp

from bot.connector import BotConnectorClient, EdgeCredentialsFactory, SessionHolder
from bot.delivery.dispatcher import DispatcherConfig, OutboxDispatcher
from bot.delivery.rate_limiter import RateLimiter, RateLimits
from bot.delivery.renderers import default_renderers
from bot.delivery.retry_policy import RetryPolicy
from storage.engine import create_engine, create_session_factory


async def run(args: argparse.Namespace) -> dict[str, object]:
    engine = create_engine(args.database_url)
    try:
        async with aiohttp.ClientSession() as http:
            holder = SessionHolder(http)  # authentication off, as against any local connector
            connector = BotConnectorClient(holder, EdgeCredentialsFactory(app_id="", sessions=holder), timeout=30.0)
            dispatcher = OutboxDispatcher(
                create_session_factory(engine),
                connector,
                default_renderers(),
                RateLimiter(RateLimits(app_per_second=args.app_per_second)),
                policy=RetryPolicy(max_attempts=8, base_delay=0.1, max_delay=1.0),
                config=DispatcherConfig(lease=timedelta(seconds=args.lease), min_idle=0.05, max_idle=0.5),
            )
            print(json.dumps({"started": dispatcher.owner}), flush=True)
            await dispatcher.start()
            # Other processes' outcomes do not wake us, so look again at least twice a second.
            while await dispatcher.store.unfinished():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(dispatcher.wait_for_outcome(dispatcher.outcome_count), 0.5)
            await dispatcher.stop()
            stats = dataclasses.asdict(dispatcher.stats)
            stats["owner"] = dispatcher.owner
            return stats
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--app-per-second", type=int, default=49)
    parser.add_argument("--lease", type=float, default=60.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(json.dumps(asyncio.run(run(args)), default=str), flush=True)


if __name__ == "__main__":
    main()
