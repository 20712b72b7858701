"""Poll votes: turns per second against stock botbuilder's echo turns, and a classroom's burst, side by side.

Run from the repository root (about a minute on 2 cores)::

    python benchmarks/polls.py                       # on a fresh SQLite file
    python benchmarks/polls.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench   # WIPED first

It reuses ``turns.py``'s machinery: its load generator (32 keep-alive HTTP/1.1 connections on bare asyncio
protocols), its stock botbuilder echo bot process, and its CPU and memory readings. Processes:

- a services process: the fake Bot Connector (``tests/support/fake_connector.py``) every bot replies to, which
  records the poll cards' updates (``PUT``) with the time each arrived;
- the stock echo bot (``turns.py``'s scenario ``b``);
- our bot (``bot.app.create_app``, its outbox dispatcher inside), with the demo catalogue, a group chat linked to
  PERM4-A and two polls posted there.

Phase 1, throughput: vote turns (``Action.Execute`` invokes ``poll.vote``, the Playground's invoke shape) from 256
voters at concurrency 32, each pass over the voters moving every answer to the next option, so every turn writes;
against echo turns, in interleaved rounds (a change in the machine's load hits both alike).

Phase 2, a burst on the other poll: 300 voters answer within one second (open loop, one request every 3.3 ms,
whatever the answers' latency), and 100 of them change their answer once theirs was taken (within the next half
second). Then: every vote recorded exactly (the tallies in the database and on the last card update are the
expected ones, 300 voters), p50/p99 latency of those 400 turns, the card's updates per second (the most in any
one-second window, and the smallest gap between two), and the bot process's peak memory (``VmHWM``).

The last line: ``db=… vote_over_echo=… burst_exact=… burst_p99_ms=… card_updates_per_s_max=… peak_mb=…``.
Targets (issue 14): vote_over_echo ≥ 8, burst_p99_ms ≤ 600, card_updates_per_s_max ≤ 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import turns  # noqa: E402  (the turns benchmark's machinery, reused)

GROUP_CHAT = "19:bench-session@thread.v2"
TRAINER = "00000000-0000-0000-0000-0000000b0001"
THROUGHPUT_QUESTION = "Throughput: which comes first?"
BURST_QUESTION = "Burst: which principle comes first?"
OPTIONS = ("Presume capacity", "Support to decide", "Best interests")
BURST_VOTERS = 300
BURST_CHANGES = 100
BURST_SECONDS = 1.0
SETTLE_BOUND = 30.0  # seconds to wait for the last card update (a bound against a hang, not a measurement)


# ---------------------------------------------------------------------------------------------------------------
# services process: the fake connector, with the poll cards' updates
# ---------------------------------------------------------------------------------------------------------------


async def _services() -> None:
    from aiohttp import web

    from tests.support.fake_connector import FakeConnector

    connector = await FakeConnector().start()

    async def stats(_request: web.Request) -> web.Response:
        updates = [
            (r.received_at, r.body["attachments"][0]["content"].get("fallbackText", ""))
            for r in connector.requests
            if r.method == "PUT" and isinstance(r.body, dict) and r.body.get("attachments")
        ]
        return web.json_response({"connector_requests": connector.request_count, "updates": updates})

    async def forget(_request: web.Request) -> web.Response:
        connector.clear()  # the echo bot's replies pile up; only the cards' updates matter here
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/stats", stats)
    app.router.add_post("/forget", forget)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"service_url": connector.service_url, "stats": f"http://127.0.0.1:{port}"}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()
    await connector.close()


# ---------------------------------------------------------------------------------------------------------------
# our bot, with a linked chat and two polls
# ---------------------------------------------------------------------------------------------------------------


async def _seed(database_url: str, service_url: str) -> dict[str, Any]:
    from datetime import date

    from classroom.catalogue.importer import import_catalogue
    from classroom.clock import SystemClock
    from classroom.conversations import ConversationInfo
    from classroom.demo.catalogue import demo_catalogue
    from classroom.people import assign_roles
    from classroom.polls.kinds import PollDraft, SingleChoice
    from classroom.polls.polls import Voter
    from classroom.polls.service import PollService
    from storage.engine import create_engine, create_session_factory
    from storage.migrate import upgrade
    from storage.models import Role

    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        async with session_factory.begin() as session:
            await import_catalogue(session, demo_catalogue(date.today()))
            await assign_roles(session, TRAINER, [Role.COORDINATOR], "Bench Trainer")
        polls = PollService(session_factory, SystemClock())
        reference = {
            "bot": {"id": f"28:{turns.APP_ID}", "name": "Classroom"},
            "channelId": "msteams",
            "serviceUrl": service_url,
            "conversation": {"id": GROUP_CHAT, "conversationType": "groupChat", "isGroup": True},
        }
        trainer = Voter(TRAINER, "Bench Trainer")
        await polls.link(ConversationInfo(GROUP_CHAT, "groupChat", service_url, reference), "PERM4-A", by=trainer)
        seeded = {}
        for name, question in (("throughput", THROUGHPUT_QUESTION), ("burst", BURST_QUESTION)):
            view = await polls.launch(GROUP_CHAT, PollDraft(question, SingleChoice(OPTIONS)), by=trainer)
            seeded[name] = {"poll": view.id, "options": [o.id for o in view.options]}
        return seeded
    finally:
        await engine.dispose()


async def _serve_bot(database_url: str, service_url: str) -> None:
    import logging

    from aiohttp import web

    logging.basicConfig(level=logging.ERROR)
    seeded = await _seed(database_url, service_url)
    runner = web.AppRunner(turns._our_app(database_url, None), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"port": port, **seeded}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


# ---------------------------------------------------------------------------------------------------------------
# the votes
# ---------------------------------------------------------------------------------------------------------------


def _vote_template(service_url: str, poll_id: int) -> str:
    template = json.loads((turns.REFERENCE / "card-action-execute-invoke.json").read_text())
    template["serviceUrl"] = service_url
    template["id"] = "@ID@"
    template["conversation"] = {"id": GROUP_CHAT, "conversationType": "groupChat", "isGroup": True}
    template["from"] = {"id": "29:bench-voter-@N@", "name": "Voter @N@", "aadObjectId": "@AAD@"}
    data = {"poll": poll_id, "option": "@O@"}
    template["value"] = {"action": {"type": "Action.Execute", "title": "Vote", "verb": "poll.vote", "data": data}}
    return json.dumps(template)


def _vote(template: str, activity_id: str, voter: int, aad: str, option: int) -> bytes:
    body = template.replace("@ID@", activity_id).replace("@N@", str(voter)).replace("@AAD@", aad)
    return body.replace('"@O@"', str(option)).encode()


class _VoteBodies:
    """Votes of turns.POOL voters in turn; each pass over them moves every answer to the next option."""

    def __init__(self, service_url: str, poll: dict[str, Any]) -> None:
        self._template = _vote_template(service_url, poll["poll"])
        self._options = poll["options"]
        self._run = str(time.time_ns())

    def __getitem__(self, i: int) -> bytes:
        n = i % turns.POOL
        option = self._options[(i // turns.POOL + n) % len(self._options)]
        return _vote(self._template, f"{self._run}-{i}", n, turns._aad(n), option)


async def _burst(
    port: int, service_url: str, poll: dict[str, Any]
) -> tuple[list[float], dict[int, int], dict[int, int]]:
    """300 first answers spread over one second, open loop, then 100 changes once each first answer was taken.
    Returns the latencies, the HTTP statuses, and the expected final tally by option id."""
    import aiohttp

    template = _vote_template(service_url, poll["poll"])
    options = poll["options"]
    expected = {option: 0 for option in options}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    url = f"http://127.0.0.1:{port}/api/messages"
    headers = {"Content-Type": "application/json"}
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post(body: bytes) -> None:
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append(time.perf_counter() - started)

        start = loop.time() + 0.2

        async def voter(k: int) -> None:
            aad = f"00000000-0000-0000-0000-1{k:011d}"
            first = options[k % len(options)]
            await asyncio.sleep(max(0.0, start + k * BURST_SECONDS / BURST_VOTERS - loop.time()))
            await post(_vote(template, f"burst-{k}", 10_000 + k, aad, first))
            final = first
            if k < BURST_CHANGES:  # a change, once their answer was taken, within the next half second
                final = options[(k + 1) % len(options)]
                at = start + BURST_SECONDS + k * 0.5 / BURST_CHANGES
                await asyncio.sleep(max(0.0, at - loop.time()))
                await post(_vote(template, f"burst-change-{k}", 10_000 + k, aad, final))
            expected[final] += 1

        await asyncio.gather(*(voter(k) for k in range(BURST_VOTERS)))
    return latencies, statuses, expected


async def _lock_waits(database_url: str) -> list[int]:
    """PostgreSQL: how many of the bot's transactions wait for a lock, sampled every 20 ms until cancelled."""
    from sqlalchemy import text

    from storage.engine import create_engine

    samples: list[int] = []
    engine = create_engine(database_url)
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    try:
        async with engine.connect() as connection:
            while True:
                samples.append(int(await connection.scalar(waiting) or 0))
                await connection.commit()
                await asyncio.sleep(0.02)
    except asyncio.CancelledError:
        return samples
    finally:
        await engine.dispose()


async def _stopped(sampling: asyncio.Task[list[int]] | None) -> list[int]:
    if sampling is None:
        return []
    sampling.cancel()
    return await sampling


async def _tally(database_url: str, poll_id: int) -> tuple[dict[int, int], int]:
    from sqlalchemy import func, select

    from storage.engine import create_engine
    from storage.models import PollVote

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(PollVote.option_id, func.count()).where(PollVote.poll_id == poll_id).group_by(PollVote.option_id)
            )
            tally = {option: count for option, count in rows.all()}
        return tally, sum(tally.values())
    finally:
        await engine.dispose()


def _card_shows(text: str, expected: dict[int, int], options: list[int]) -> bool:
    total = sum(expected.values())
    wanted = [f"{total} people answered."]
    for option in options:
        count = expected[option]
        wanted.append(f"{count} vote{'' if count == 1 else 's'} · {round(100 * count / total)}%")
    return all(w in text for w in wanted)


async def _updates(stats: str, question: str) -> list[tuple[float, str]]:
    return [(at, text) for at, text in (await turns._stats(f"{stats}/stats"))["updates"] if question in text]


async def _settled(stats: str, expected: dict[int, int], options: list[int]) -> list[tuple[float, str]]:
    """The burst poll's card updates, once the last one shows the expected tally (bounded wait)."""
    deadline = time.monotonic() + SETTLE_BOUND
    while True:
        updates = await _updates(stats, BURST_QUESTION)
        if updates and _card_shows(updates[-1][1], expected, options):
            return updates
        if time.monotonic() > deadline:
            return updates
        await asyncio.sleep(0.2)


def _most_in_one_second(times: list[float]) -> int:
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def _p(latencies: list[float], share: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else float("nan")


# ---------------------------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------------------------


class _Measured:
    def __init__(self, name: str, process: Any, load: turns._Load) -> None:
        self.name = name
        self.process = process
        self.load = load
        self.elapsed = 0.0
        self.cpu = 0.0

    async def measure(self, seconds: float) -> None:
        before = turns._cpu_seconds(self.process.pid)
        self.elapsed += await self.load.run(seconds, record=True)
        self.cpu += turns._cpu_seconds(self.process.pid) - before

    @property
    def rps(self) -> float:
        return len(self.load.latencies) / self.elapsed if self.elapsed else 0.0

    def line(self) -> str:
        count = len(self.load.latencies) or 1
        bad = {s: n for s, n in self.load.statuses.items() if not 200 <= s < 300}
        return (
            f"{self.name:6} {self.rps:8.1f} turns/s  p50 {_p(self.load.latencies, 0.5):7.2f} ms  "
            f"p99 {_p(self.load.latencies, 0.99):7.2f} ms  cpu/turn {self.cpu / count * 1000:6.2f} ms"
            + (f"  NON-2XX {bad}" if bad else "")
        )


async def _main(args: argparse.Namespace) -> int:
    services_process, services = turns._spawn("_services", script=__file__)
    processes = [services_process]
    try:
        with tempfile.TemporaryDirectory(prefix="polls-bench-") as tmp:
            url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'polls.sqlite3'}"
            if args.database_url:
                from tests.support.postgres import fresh_schema

                await fresh_schema(args.database_url, migrate=False)
            service_url = services["service_url"]
            echo_process, echo = turns._spawn("_bot", "stock", "", "null", "1", service_url, "0")
            processes.append(echo_process)
            ours_process, ours = turns._spawn("_bot", url, service_url, script=__file__)
            processes.append(ours_process)
            return await _measure(args, url, services, echo_process, echo, ours_process, ours)
    finally:
        for process in reversed(processes):
            turns._stop(process)


async def _measure(
    args: argparse.Namespace,
    url: str,
    services: dict[str, Any],
    echo_process: Any,
    echo: dict[str, Any],
    ours_process: Any,
    ours: dict[str, Any],
) -> int:
    service_url = services["service_url"]
    echo_run = _Measured(
        "echo", echo_process, turns._Load(echo["port"], turns._Bodies(turns.SCENARIOS["b"], service_url), None)
    )
    vote_run = _Measured(
        "vote", ours_process, turns._Load(ours["port"], _VoteBodies(service_url, ours["throughput"]), None)
    )
    for run in (echo_run, vote_run):
        await run.load.run(args.warmup, record=False, at_least=turns.POOL)
    for _round in range(args.rounds):
        for run in (echo_run, vote_run):
            await run.measure(args.seconds / args.rounds)
            await _forget(services["stats"])
    print(echo_run.line(), flush=True)
    print(vote_run.line(), flush=True)

    cpu_before, wall_before = turns._cpu_seconds(ours_process.pid), time.perf_counter()
    sampling = asyncio.create_task(_lock_waits(url)) if args.database_url else None
    latencies, statuses, expected = await _burst(ours["port"], service_url, ours["burst"])
    waits = await _stopped(sampling)
    burst_cpu = turns._cpu_seconds(ours_process.pid) - cpu_before  # the bot's CPU over the burst: is it the bound?
    burst_wall = time.perf_counter() - wall_before
    burst_started = time.perf_counter()
    updates = await _settled(services["stats"], expected, ours["burst"]["options"])
    tally, voters = await _tally(url, ours["burst"]["poll"])
    exact = tally == {k: v for k, v in expected.items() if v} and voters == BURST_VOTERS
    card_exact = bool(updates) and _card_shows(updates[-1][1], expected, ours["burst"]["options"])
    times = [at for at, _text in updates]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    most = _most_in_one_second(times)
    peak = turns._peak_rss_mb(ours_process.pid)
    bad = {s: n for s, n in statuses.items() if not 200 <= s < 300}
    print(
        f"burst  {len(latencies)} vote turns ({BURST_VOTERS} answers in {BURST_SECONDS:.0f} s, then "
        f"{BURST_CHANGES} changes): p50 {_p(latencies, 0.5):.1f} ms  p99 {_p(latencies, 0.99):.1f} ms  "
        f"max {max(latencies) * 1000:.1f} ms; database tally {sorted(tally.values())} expected "
        f"{sorted(v for v in expected.values() if v)} ({voters} voters); card updates {len(times)}, most in one "
        f"second {most}, smallest gap {min(gaps) if gaps else float('nan'):.3f} s; last card exact: {card_exact}; "
        f"settled {time.perf_counter() - burst_started:.1f} s after the burst; the bot's CPU {burst_cpu:.2f} s in "
        f"the burst's {burst_wall:.2f} s"
        + (f"; votes waiting for a lock: mean {sum(waits) / len(waits):.1f}, most {max(waits)}" if waits else "")
        + (f"  NON-2XX {bad}" if bad else ""),
        flush=True,
    )
    database = "postgresql" if args.database_url else "sqlite"
    print(
        f"db={database} vote_rps={vote_run.rps:.1f} echo_rps={echo_run.rps:.1f} "
        f"vote_over_echo={vote_run.rps / echo_run.rps if echo_run.rps else float('nan'):.2f} "
        f"burst_exact={int(exact)} burst_card_exact={int(card_exact)} burst_p50_ms={_p(latencies, 0.5):.1f} "
        f"burst_p99_ms={_p(latencies, 0.99):.1f} card_updates_per_s_max={most} "
        f"card_min_gap_s={min(gaps) if gaps else float('nan'):.3f} peak_mb={peak:.1f}",
        flush=True,
    )
    failed = bad or not exact or not card_exact or any(not 200 <= s < 300 for s in vote_run.load.statuses)
    return 1 if failed else 0


async def _forget(stats: str) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.post(f"{stats}/forget") as response:
        await response.read()


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_services":
        asyncio.run(_services())
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_bot":
        from bot.event_loop import run  # the loop the bot serves on in production

        run(_serve_bot(sys.argv[2], sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per side (default 8)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per side (default 2)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds the seconds are split into")
    parser.add_argument("--quick", action="store_true", help="2 s per side, 0.5 s warm-up: a smoke run")
    parser.add_argument(
        "--database-url", default=None, help="our bot on this PostgreSQL database (WIPED first) instead of SQLite"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup, args.rounds = 2.0, 0.5, 1
    return asyncio.run(_main(args))


if __name__ == "__main__":
    raise SystemExit(main())
