"""Common turns with the stored data at 1× and at 10×, side by side: does a turn slow down as the data grows?

Run from the repository root (about four minutes on 2 cores)::

    python benchmarks/growth.py                     # fresh SQLite files
    python benchmarks/growth.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench   # WIPED,
                                                    # and bench_grown beside it (created, WIPED)

For every scenario two bot processes run (``turns.py``'s machinery and load generator, concurrency 32): one on
a database holding one unit of everyone else's data, one on ten (``growth_data.py``: courses and runs, people and
their chats, enrolments, sent outbox rows, enquiries and their events, poll answers). The benchmark's own users
see the same things at both sizes. Rounds alternate between the two, so a change in the machine's load hits both
alike. A turn's *growth* is its CPU per turn at 10× over that at 1× (CPU, not wall time: it is what a scan
costs, and it is steadier than latency on a shared machine); the issue's target is at most 1.20.

Query plans: each bot process records every distinct SQL statement its turns ran (during the warm-up, which
sends every user once), and when it stops explains each on its database with the parameters of its first run
(SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN``); for the 10× database, a statement that reads a whole
growing table is listed.

Statements run only once or twice (the catalogue snapshot each process builds once per catalogue version and
keeps in memory) are listed but not counted. The last line:
``db=… growth_<scenario>=… … growth_max=… full_scans_per_turn=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import growth_data  # noqa: E402
import turns  # noqa: E402  (the turns benchmark's machinery, reused)

SCENARIOS = {
    "help": turns.SCENARIOS["c"],
    "details": turns.SCENARIOS["d-card"],
    "assign": turns.SCENARIOS["d"],
    "install": turns.SCENARIOS["d-install"],
    "my-courses": turns.Scenario("my-courses", "ours", "personal-message", "my courses", description="my courses"),
    "enrol": turns.SCENARIOS["d-enrol"],
}
# Tables that grow with use; a plan that reads one of them whole is a scan the data will punish.
GROWING = (
    "people",
    "conversations",
    "enrolments",
    "outbox",
    "enquiries",
    "enquiry_events",
    "polls",
    "poll_options",
    "poll_votes",
    "courses",
    "course_runs",
    "run_sessions",
    "learning_outcomes",
)
FACTORS = (1, 10)
PER_TURN = 10  # runs in the warm-up from which a statement counts as part of every turn, not a one-off load


# ---------------------------------------------------------------------------------------------------------------
# the bot process: turns.py's, recording its statements until the parent says the warm-up is over
# ---------------------------------------------------------------------------------------------------------------


def _serve_recording(args: list[str], statements_file: str, key: str) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen: dict[str, list[Any]] = {}  # statement -> [parameters of its first run, runs]
    recording = [True]

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        reads = statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH"))
        if recording[0] and reads:
            seen.setdefault(statement, [parameters, 0])[1] += 1

    event.listen(Engine, "before_cursor_execute", record)
    signal.signal(signal.SIGUSR1, lambda *_: recording.__setitem__(0, False))
    kind, database_url, auth, remember = args[0], args[1], json.loads(args[2]), args[3] == "1"
    try:
        from bot.event_loop import run  # the loop the bot serves on in production

        # Seeded as turns.py seeds the scenario (by its key there): d-enrol's run made roomy, or it fills (18 places
        # for 256 users) and most presses measure the refusal of a full run instead of a place taken.
        seeding = SCENARIOS[key].key
        run(turns._serve_bot(kind, database_url, auth, remember, args[4], int(args[5]), seeding))
    finally:
        # Explained here, where the statements' parameters still have their types, on this process's database.
        found = asyncio.run(_full_scans(database_url, [(s, p, n) for s, (p, n) in seen.items()]))
        Path(statements_file).write_text(json.dumps({"statements": len(seen), "full_scans": found}))


class _Recording(turns._Running):
    """turns.py's bot process and load, started through this file so it records its statements."""

    bot_script = __file__

    def __init__(self, scenario: turns.Scenario, services: dict[str, Any], url: str, statements: Path) -> None:
        super().__init__(scenario, services, statements.parent, url)
        self.statements = statements
        self.bot_args = (str(statements),)

    async def start(self, warmup: float) -> None:
        await super().start(warmup)
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGUSR1)  # the warm-up's statements are the ones to explain


# ---------------------------------------------------------------------------------------------------------------
# query plans
# ---------------------------------------------------------------------------------------------------------------


async def _full_scans(url: str, statements: list[tuple[str, Any, int]]) -> list[tuple[str, str, int]]:
    """(table, statement, runs) for each statement whose plan reads a whole growing table on ``url``."""
    from storage.engine import create_engine

    engine = create_engine(url)
    found: list[tuple[str, str, int]] = []
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            for statement, parameters, runs in statements:
                if url.startswith("sqlite"):
                    plan = await _sqlite_plan(driver, statement, parameters)
                    scanned = [line.split()[1] for line in plan if line.startswith("SCAN ") and " INDEX " not in line]
                else:
                    plan = await _postgres_plan(driver, statement, parameters)
                    scanned = [line.split(" on ")[1].split()[0] for line in plan if "Seq Scan on " in line]
                found += [(table, statement, runs) for table in scanned if table in GROWING]
    finally:
        await engine.dispose()
    return found


async def _sqlite_plan(driver: Any, statement: str, parameters: Any) -> list[str]:
    cursor = await driver.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
    return [row[3].strip() for row in await cursor.fetchall()]


async def _postgres_plan(driver: Any, statement: str, parameters: Any) -> list[str]:
    rows = await driver.fetch(f"EXPLAIN {statement}", *(parameters or ()))
    return [row[0].strip().lstrip("-> ").strip() for row in rows]


# ---------------------------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------------------------


def _urls(args: argparse.Namespace, tmp: Path, key: str) -> dict[int, str]:
    if not args.database_url:
        return {f: f"sqlite+aiosqlite:///{tmp / f'growth-{key}-{f}x.sqlite3'}" for f in FACTORS}
    base = args.database_url
    return {1: base, 10: f"{base}_grown"}


async def _create_database(url: str) -> None:
    """Create ``url``'s database on its server if it is not there (through the server's ``postgres`` database)."""
    from sqlalchemy import make_url, text

    from storage.engine import create_engine

    target = make_url(url)
    engine = create_engine(target.set(database="postgres").render_as_string(hide_password=False))
    try:
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await engine.dispose()


async def _prepare(url: str, factor: int) -> dict[str, int]:
    if url.startswith("postgresql"):
        from tests.support.postgres import fresh_schema

        await _create_database(url)
        await fresh_schema(url, migrate=False)
    pool = [turns._aad(n) for n in range(turns.POOL)]
    return await growth_data.grow(url, factor, pool)


async def _scenario(
    key: str, services: dict[str, Any], args: argparse.Namespace, tmp: Path
) -> tuple[dict[int, turns.Result], list[tuple[str, str]]]:
    scenario = replace(SCENARIOS[key], key=key)
    urls = _urls(args, tmp, key)
    runs = {}
    for factor, url in urls.items():
        added = await _prepare(url, factor)
        print(f"{key}: {factor:2}x data: {sum(added.values()):,} rows added", flush=True)
        runs[factor] = _Recording(scenario, services, url, tmp / f"statements-{key}-{factor}x.json")
    results: dict[int, turns.Result] = {}
    try:
        for run in runs.values():
            await run.start(args.warmup)
        for _round in range(args.rounds):
            for run in runs.values():
                await run.measure(args.seconds / args.rounds)
    finally:
        for factor, run in runs.items():
            if run.process is not None:
                results[factor] = await run.stop()
    explained = json.loads(runs[10].statements.read_text())
    print(f"{key}: {explained['statements']} distinct statements explained on the 10x database", flush=True)
    return results, [(table, statement, runs) for table, statement, runs in explained["full_scans"]]


async def _main(args: argparse.Namespace) -> int:
    services_process, services = turns._spawn("_services")
    growth: dict[str, float] = {}
    scans: list[tuple[str, str, int]] = []
    failed = []
    try:
        with tempfile.TemporaryDirectory(prefix="growth-bench-") as tmp:
            for key in args.scenarios:
                results, found = await _scenario(key, services, args, Path(tmp))
                for factor, result in results.items():
                    turns._print_result(f"{key} {factor}x", result)
                    failed += [f"{key} {factor}x"] if turns._invalid(result) else []
                one, ten = results[1], results[10]
                growth[key] = ten.cpu_per_turn_ms / one.cpu_per_turn_ms
                print(
                    f"{key}: cpu/turn {one.cpu_per_turn_ms:.2f} -> {ten.cpu_per_turn_ms:.2f} ms "
                    f"(x{growth[key]:.2f}), rps {one.rps:.0f} -> {ten.rps:.0f}, p99 {one.p99:.1f} -> {ten.p99:.1f} ms",
                    flush=True,
                )
                scans += found
    finally:
        turns._stop(services_process)
    # A statement run once or twice in a warm-up of POOL turns is a one-off: the seeding, or the catalogue snapshot
    # each process builds once per catalogue version and keeps in memory. One run on many turns is a scan every
    # turn pays for.
    per_turn = sorted({(table, statement, runs) for table, statement, runs in scans if runs >= PER_TURN})
    for table, statement, runs in per_turn:
        print(f"full scan of {table} ({runs} runs in the warm-up): {' '.join(statement.split())[:300]}")
    one_offs = len({(table, statement) for table, statement, runs in scans if runs < PER_TURN})
    print(f"full scans in one-off statements (seeding, the catalogue snapshot): {one_offs}")
    database = "postgresql" if args.database_url else "sqlite"
    figures = " ".join(f"growth_{k.replace('-', '_')}={v:.2f}" for k, v in growth.items())
    print(f"db={database} {figures} growth_max={max(growth.values()):.2f} full_scans_per_turn={len(per_turn)}")
    if failed:
        print(f"INVALID: {', '.join(failed)} answered with errors or did not write on every turn", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_bot":
        _serve_recording(sys.argv[2:8], sys.argv[8], sys.argv[9])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per process (default 8)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per process (default 2)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds the seconds are split into")
    parser.add_argument("--quick", action="store_true", help="2 s per process, 0.5 s warm-up: a smoke run")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL database for 1x (WIPED); 10x on <name>_grown (created, WIPED)",
    )
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS), help=f"any of {', '.join(SCENARIOS)}")
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.quick:
        args.seconds, args.warmup, args.rounds = 2.0, 0.5, 1
    return asyncio.run(_main(args))


if __name__ == "__main__":
    raise SystemExit(main())
