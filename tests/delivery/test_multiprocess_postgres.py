"""Several dispatcher processes on one PostgreSQL database: nothing delivered twice, nothing lost, and a
process killed with SIGKILL loses nothing (only rows in flight at the kill may arrive twice, and are counted).

These cases need PostgreSQL (``TEST_DATABASE_URL``); each creates and drops its own database, so the
processes never meet other tests' rows."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import NotificationStatus, OutboxNotification
from tests.delivery.helpers import conversation, queue_texts, store_conversations
from tests.support.throttling_connector import ThrottlingConnector, Window

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REPO = Path(__file__).resolve().parents[2]
COUNT = 1000
PROCESS_BOUND = 180  # seconds: a safety net against a hung child, not a timing assertion

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="multi-process delivery needs PostgreSQL: set TEST_DATABASE_URL=postgresql+asyncpg://…",
)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
async def own_database() -> AsyncIterator[str]:
    """A fresh, migrated database of our own, dropped afterwards."""
    name = f"test_outbox_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_dsn(TEST_DATABASE_URL))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def connector() -> AsyncIterator[ThrottlingConnector]:
    # Two workers at 150/s each fit under an app limit of 400/s; the point here is exactly-once delivery.
    fake = ThrottlingConnector(app_windows=(Window(400, 1.0),))
    await fake.start()
    yield fake
    await fake.close()


async def prepare(url: str, connector_url: str) -> None:
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    chats = [f"chat-{i}" for i in range(COUNT // 2)]
    await store_conversations(session_factory, [conversation(c, connector_url) for c in chats])
    await queue_texts(session_factory, [(chats[i % len(chats)], f"n{i:04}") for i in range(COUNT)])
    await engine.dispose()


async def outbox_rows(url: str) -> list[OutboxNotification]:
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        rows = list(await session.scalars(select(OutboxNotification)))
    await engine.dispose()
    return rows


async def start_worker(url: str, *, lease: float = 60.0) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.outbox_worker",
        "--database-url",
        url,
        "--app-per-second",
        "150",
        "--lease",
        str(lease),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(worker: asyncio.subprocess.Process) -> dict:
    stdout, stderr = await asyncio.wait_for(worker.communicate(), PROCESS_BOUND)
    assert worker.returncode == 0, stderr.decode()
    return json.loads(stdout.decode().strip().splitlines()[-1])


async def test_two_processes_deliver_a_thousand_exactly_once(own_database, connector) -> None:
    await prepare(own_database, connector.service_url)
    workers = [await start_worker(own_database), await start_worker(own_database)]
    reports = await asyncio.gather(*(finish(w) for w in workers))

    delivered = connector.delivered_texts()
    assert set(delivered) == {f"n{i:04}" for i in range(COUNT)}, "lost notifications"
    assert [t for t, n in delivered.items() if n > 1] == [], "duplicates"
    rows = await outbox_rows(own_database)
    assert {r.status for r in rows} == {NotificationStatus.SENT}
    assert sum(r["sent"] for r in reports) == COUNT
    assert connector.stats.violations == []
    print(f"\nper-process deliveries: {[r['sent'] for r in reports]}")


async def test_a_killed_process_loses_nothing_and_only_in_flight_rows_may_repeat(
    own_database, connector, record_property
) -> None:
    await prepare(own_database, connector.service_url)
    first = await start_worker(own_database, lease=3.0)
    await asyncio.wait_for(connector.wait_for_deliveries(COUNT // 3), PROCESS_BOUND)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert first.returncode == -signal.SIGKILL
    in_flight = {r.dedupe_key for r in await outbox_rows(own_database) if r.status is NotificationStatus.SENDING}
    delivered_before_restart = len(connector.deliveries)

    restarted = await start_worker(own_database, lease=3.0)
    report = await finish(restarted)

    delivered = connector.delivered_texts()
    duplicates = {t for t, n in delivered.items() if n > 1}
    assert set(delivered) == {f"n{i:04}" for i in range(COUNT)}, "lost notifications"
    assert duplicates <= in_flight, "a duplicate of a row that was not in flight at the kill"
    assert all(n <= 2 for n in delivered.values())
    assert {r.status for r in await outbox_rows(own_database)} == {NotificationStatus.SENT}
    record_property("in_flight_at_kill", len(in_flight))
    record_property("duplicates", len(duplicates))
    print(
        f"\nSIGKILL after {delivered_before_restart} deliveries: {len(in_flight)} rows in flight, "
        f"{len(duplicates)} delivered twice, 0 lost; the restarted process sent {report['sent']}"
    )
