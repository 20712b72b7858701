"""``classroom-bot outbox status`` and ``classroom-bot outbox retry ID``: the operator's view of delivery.

Each command takes the parsed arguments and the settings and returns the process exit code (0 done,
1 database unreachable or not migrated, 2 invalid input such as an unknown id). ``add_outbox_commands``
registers both under an ``outbox`` subcommand, with ``handler`` set the way ``bot.cli`` dispatches.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from classroom.clock import SystemClock
from classroom.errors import InvalidInput, NotFound
from classroom.outbox import OutboxSummary
from classroom.outbox.service import OutboxService
from dialogs.outbox.card import outbox_status_text
from storage.engine import create_engine, create_session_factory

EXIT_OK, EXIT_FAILURE, EXIT_INVALID_INPUT = 0, 1, 2
T = TypeVar("T")


class _Unavailable(Exception):
    pass


async def _with_sessions(settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    # No migration here: a status check must not change the schema under a running bot.
    engine = create_engine(settings.database_url)
    try:
        return await work(create_session_factory(engine))
    except (OSError, OperationalError, InterfaceError, ProgrammingError, DBAPIError) as error:
        raise _Unavailable(str(error).splitlines()[0]) from error
    finally:
        await engine.dispose()


def _summary_json(summary: OutboxSummary) -> dict[str, Any]:
    return {
        "counts": {status.value: n for status, n in summary.counts.items()},
        "oldest_due_pending": summary.oldest_due_pending.isoformat() if summary.oldest_due_pending else None,
        "recent_failures": [
            {
                "id": f.id,
                "kind": f.kind,
                "target": f.target,
                "status": f.status.value,
                "attempts": f.attempts,
                "updated_at": f.updated_at.isoformat(),
                "reason": f.last_error,
            }
            for f in summary.recent_failures
        ],
    }


def run_outbox_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print counts by status, the oldest waiting message and the latest failures (``--json`` for tools)."""
    limit = getattr(args, "limit", 10)

    async def work(session_factory: async_sessionmaker[AsyncSession]) -> OutboxSummary:
        return await OutboxService(session_factory, SystemClock()).summary(recent_limit=limit)

    try:
        summary = asyncio.run(_with_sessions(settings, work))
    except _Unavailable as error:
        print(
            f"classroom-bot: cannot read the outbox (run `classroom-bot db upgrade` first?): {error}", file=sys.stderr
        )
        return EXIT_FAILURE
    if getattr(args, "json", False):
        print(json.dumps(_summary_json(summary), indent=2))
    else:
        print(outbox_status_text(summary, now=SystemClock().now(), zone=settings.zone))
    return EXIT_OK


def run_outbox_retry(args: argparse.Namespace, settings: Settings) -> int:
    """Give a failed notification a fresh set of attempts; a running bot sends it within its tick."""

    async def work(session_factory: async_sessionmaker[AsyncSession]) -> str:
        view = await OutboxService(session_factory, SystemClock()).retry(args.id)
        return f"Notification {view.id} ({view.kind} to {view.target}) will be sent again shortly."

    try:
        print(asyncio.run(_with_sessions(settings, work)))
    except (NotFound, InvalidInput) as error:
        print(f"classroom-bot: {error}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    except _Unavailable as error:
        print(f"classroom-bot: cannot reach the outbox: {error}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def add_outbox_commands(commands: Any) -> None:
    """Register ``outbox status`` and ``outbox retry ID`` on ``classroom-bot``'s subparsers.

    ``handler(settings, args)`` is the calling convention of ``bot.cli``.
    """
    outbox = commands.add_parser("outbox", help="proactive messages: status and retries").add_subparsers(
        dest="outbox_command", required=True, metavar="ACTION"
    )
    status = outbox.add_parser("status", help="counts by status, the oldest waiting, recent failures with reasons")
    status.add_argument("--limit", type=int, default=10, help="how many recent failures to list (default 10)")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=lambda settings, args: run_outbox_status(args, settings))
    retry = outbox.add_parser("retry", help="send a failed (dead or undeliverable) notification again")
    retry.add_argument("id", type=int, help="the notification id, as `outbox status` shows it")
    retry.set_defaults(handler=lambda settings, args: run_outbox_retry(args, settings))
