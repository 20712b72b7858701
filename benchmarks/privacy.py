"""Data protection at scale: how long ``my data``, ``forget me`` and the daily purge take when the database holds
many people, each with every kind of data (``tests/support/privacy.seed_everything``: an enquiry with replies, a
booking with a clash, a waitlist entry, named and anonymous poll answers, messages to and about them, role
records, audit entries, a 1:1 chat with its state).

An erasure searches every outbox payload, conversation reference and audit entry for the person's words in Python
(JSON is stored differently on each database, and escaped on SQLite), so it grows with those tables; this measures
by how much. Prints details, then a final ``key=value`` line. Usage::

    python benchmarks/privacy.py [--database-url postgresql+asyncpg://...] [--people 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select, text  # noqa: E402

from bot.assembly import build_services  # noqa: E402
from classroom.catalogue.importer import import_catalogue  # noqa: E402
from classroom.privacy.audit import Actor  # noqa: E402
from storage.engine import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Base, OutboxNotification  # noqa: E402
from tests.support.bot_harness import default_settings  # noqa: E402
from tests.support.enrolment import world  # noqa: E402
from tests.support.privacy import Someone, seed_everything  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


async def _timed(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    await work()
    return (time.perf_counter() - started) * 1000


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/privacy.sqlite3"
        engine = create_engine(url)
        if url.startswith("postgresql"):
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        async with session_factory.begin() as session:
            await import_catalogue(session, world(NOW.date().replace(month=12, day=14)))
        people = [Someone(f"person{i:05d}", i + 1) for i in range(args.people)]
        started = time.perf_counter()
        for someone in people:
            await seed_everything(session_factory, someone, NOW)
        seeding = time.perf_counter() - started
        async with session_factory() as session:
            outbox_rows = await session.scalar(select(func.count()).select_from(OutboxNotification))
            rows = 0
            for table in Base.metadata.sorted_tables:
                rows += int(await session.scalar(select(func.count()).select_from(table)) or 0)
        privacy = build_services(default_settings(), session_factory, Clock()).privacy  # type: ignore[arg-type]

        subjects = people[: args.samples]
        my_data = [await _timed(lambda s=s: privacy.my_data(s.aad)) for s in subjects]
        download = []
        for s in subjects:
            token, _ = await privacy.export_link(Actor(s.aad, s.name, s.chat))
            download.append(await _timed(lambda t=token: privacy.export_file(t)))
        forget = [await _timed(lambda s=s: privacy.forget(Actor(s.aad, s.name, s.chat), s.aad)) for s in subjects]
        purge = await _timed(privacy.purge)
        await engine.dispose()

    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"{database}: {args.people} people seeded in {seeding:.1f} s: {rows} rows, {outbox_rows} outbox rows")
    print(f"my data (summary): median {statistics.median(my_data):.1f} ms, max {max(my_data):.1f} ms")
    print(f"download (JSON file): median {statistics.median(download):.1f} ms, max {max(download):.1f} ms")
    print(f"forget me (erasure): median {statistics.median(forget):.1f} ms, max {max(forget):.1f} ms")
    print(f"purge (nothing due): {purge:.1f} ms")
    print(
        f"people={args.people} rows={rows} my_data_ms={statistics.median(my_data):.1f} "
        f"download_ms={statistics.median(download):.1f} forget_ms={statistics.median(forget):.1f} purge_ms={purge:.1f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--samples", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
