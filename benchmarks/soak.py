"""A long run: does the bot's memory stay flat over 100,000 turns while conversations and stored rows pile up?

Run from the repository root (about six minutes on 2 cores; ``--turns 20000`` for a shorter look)::

    python benchmarks/soak.py
    python benchmarks/soak.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench   # WIPED first

One bot process (``turns.py``'s, with the demo catalogue) takes a mix of common turns at concurrency 32:
``help``, ``my courses``, a course's details card from a button, and an install of the app by someone new, so
every fourth turn adds a person and a conversation the bot has never seen (25,000 of each over the run). Its
resident memory (``VmRSS``) is read between slices of load. The first tenth of the turns is the warm-up (caches,
pools and the allocator settle); *growth* is the RSS at the end over the RSS at the end of the warm-up (issue
19's target: at most 1.05).

The last line: ``db=… turns=… rss_warm_mb=… rss_end_mb=… rss_peak_mb=… rss_growth=… conversations=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import turns  # noqa: E402  (the turns benchmark's machinery, reused)

MIX = (
    turns.SCENARIOS["c"],  # help
    turns.Scenario("my-courses", "ours", "personal-message", "my courses"),
    turns.SCENARIOS["d-card"],  # course details from a button
    turns.SCENARIOS["d-install"],  # someone new installs the app
)
SLICE_SECONDS = 5.0


class _MixedBodies:
    """The mix in turn; each install comes from a new person in a new 1:1 chat (the stored data grows)."""

    def __init__(self, service_url: str) -> None:
        newcomers = 10**12  # never the same person twice (ids are 12 digits)
        self._bodies = [
            turns._Bodies(scenario, service_url, pool=newcomers if scenario.key == "d-install" else turns.POOL)
            for scenario in MIX
        ]

    def __getitem__(self, i: int) -> bytes:
        # Installs from POOL onwards: the warm-up's users were 0..POOL-1.
        return self._bodies[i % len(MIX)][turns.POOL + i // len(MIX)]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _conversations(url: str) -> int:
    from sqlalchemy import func, select

    from storage.engine import create_engine
    from storage.models import ConversationRecord

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(ConversationRecord)) or 0)
    finally:
        await engine.dispose()


async def _main(args: argparse.Namespace) -> int:
    services_process, services = turns._spawn("_services")
    try:
        with tempfile.TemporaryDirectory(prefix="soak-bench-") as tmp:
            if args.database_url:
                from tests.support.postgres import fresh_schema

                await fresh_schema(args.database_url, migrate=False)
            mix = replace(MIX[0], key="soak", description="the mix: help, my courses, details, install")
            run = turns._Running(mix, services, Path(tmp), args.database_url)
            await run.start(warmup=1.0)
            assert run.process is not None and run.load is not None
            run.load.bodies = _MixedBodies(services["service_url"])  # type: ignore[assignment]
            samples: list[tuple[int, float]] = []
            warm: float | None = None
            while run.load.next < args.turns:
                await run.measure(SLICE_SECONDS)
                samples.append((run.load.next, _rss_mb(run.process.pid)))
                if warm is None and run.load.next >= args.turns // 10:
                    warm = samples[-1][1]
                print(f"{samples[-1][0]:>8,} turns  rss {samples[-1][1]:6.1f} MB", flush=True)
            result = await run.stop()
            conversations = await _conversations(run.url)
    finally:
        turns._stop(services_process)
    turns._print_result("soak", result)
    end = samples[-1][1]
    warm = warm or samples[0][1]
    database = "postgresql" if args.database_url else "sqlite"
    print(
        f"db={database} turns={run.load.next} rss_warm_mb={warm:.1f} rss_end_mb={end:.1f} "
        f"rss_peak_mb={result.peak_mb:.1f} rss_growth={end / warm:.3f} conversations={conversations}"
    )
    if turns._invalid(result):
        print("INVALID: some turns answered with errors", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=100_000, help="turns to send (default 100,000)")
    parser.add_argument("--database-url", default=None, help="run on this PostgreSQL database (WIPED first)")
    args = parser.parse_args()
    return asyncio.run(_main(args))


if __name__ == "__main__":
    raise SystemExit(main())
