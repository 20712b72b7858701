"""``classroom-bot outbox status`` and ``outbox retry ID`` against a real database."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.outbox_cli import add_outbox_commands
from bot.settings import Settings
from storage.models import NotificationStatus, OutboxNotification
from tests.support.notices import mark, queue_text


async def seed(session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    async with session_factory.begin() as session:
        for key in ("ok", "dead", "waiting"):
            await queue_text(session, key, due_at=clock.now() - timedelta(minutes=5))
        await session.flush()
        await mark(session, "ok", NotificationStatus.SENT)
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.dedupe_key == "dead")
            .values(status=NotificationStatus.DEAD, attempts=8, last_error="gave up after 8 attempts: HTTP 503")
        )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="classroom-bot")
    add_outbox_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


async def run(argv: list[str], db_url: str) -> int:
    args = parse(argv)
    # The commands call asyncio.run themselves, as from the command line: give them their own thread.
    return await asyncio.to_thread(args.handler, Settings(database_url=db_url), args)


async def test_status_prints_counts_oldest_and_failures(db_url, session_factory, clock, capsys) -> None:
    await seed(session_factory, clock)
    assert await run(["outbox", "status"], db_url) == 0
    out = capsys.readouterr().out
    assert "Waiting to send: 1" in out and "Sent: 1" in out and "Failed (gave up): 1" in out
    assert "gave up after 8 attempts: HTTP 503" in out
    assert "classroom-bot outbox retry" in out


async def test_status_as_json(db_url, session_factory, clock, capsys) -> None:
    await seed(session_factory, clock)
    assert await run(["outbox", "status", "--json", "--limit", "5"], db_url) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"pending": 1, "sending": 0, "sent": 1, "dead": 1, "undeliverable": 0, "cancelled": 0}
    assert [f["reason"] for f in report["recent_failures"]] == ["gave up after 8 attempts: HTTP 503"]


async def test_retry_a_dead_notification(db_url, session_factory, clock, capsys) -> None:
    await seed(session_factory, clock)
    async with session_factory() as session:
        dead = (
            await session.execute(OutboxNotification.__table__.select().where(OutboxNotification.dedupe_key == "dead"))
        ).one()
    assert await run(["outbox", "retry", str(dead.id)], db_url) == 0
    assert "will be sent again" in capsys.readouterr().out
    async with session_factory() as session:
        row = await session.get(OutboxNotification, dead.id)
    assert row is not None and row.status is NotificationStatus.PENDING
    assert row.attempts - row.superseded_attempts == 0  # fresh tries; attempts itself keeps counting claims


@pytest.mark.parametrize("target", ["unknown", "waiting"])
async def test_retry_refuses_unknown_or_unfailed_ids(db_url, session_factory, clock, capsys, target) -> None:
    await seed(session_factory, clock)
    async with session_factory() as session:
        waiting = (
            await session.execute(
                OutboxNotification.__table__.select().where(OutboxNotification.dedupe_key == "waiting")
            )
        ).one()
    notification_id = waiting.id if target == "waiting" else 9999
    assert await run(["outbox", "retry", str(notification_id)], db_url) == 2
    assert "classroom-bot:" in capsys.readouterr().err


async def test_unreachable_database_is_exit_code_one(capsys) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:9/nothing-listens-here"  # discard port: refused at once
    assert await run(["outbox", "status"], url) == 1
    assert "cannot read the outbox" in capsys.readouterr().err
