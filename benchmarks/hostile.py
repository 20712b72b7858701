"""Hostile traffic against the running bot: malformed and crafted activities, and what the bot made of them.

Run from the repository root (about a minute on 2 cores)::

    python benchmarks/hostile.py                      # 10,000 requests on an embedded SQLite file
    python benchmarks/hostile.py --requests 2000      # fewer
    python benchmarks/hostile.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/hostile  # wiped

It starts the bot as ``python -m bot.cli demo --port 0`` (a fresh database, the demo catalogue and roles) and a
local fake Bot Connector (``tests/support/fake_connector.py``) the bot replies to, both on 127.0.0.1. Then it
posts mutations of the captured Teams activities (``tests/fixtures/teams-activities``), chosen at random with a
fixed seed: fields missing or of the wrong type, huge and deeply nested values, NUL and lone surrogates, ids and
names longer than the schema allows, markdown, links and mentions in commands, random card data, bodies that
are not JSON or not an object, and redeliveries of activities already sent. A fifth of the requests are the
captured activities as Teams sends them, so the bot is also doing real work meanwhile.

It counts the answers by HTTP status, the ERROR lines and tracebacks in the bot's log, and the bot's resident
memory after a warm-up and at the end, and prints them, ending with one ``key=value`` line. 5xx answers are
counted without 501, which botbuilder gives to invoke names the bot does not handle.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.fake_connector import FakeConnector  # noqa: E402

REFERENCE = ROOT / "tests" / "fixtures" / "teams-activities"
CONCURRENCY = 16
WARMUP = 300  # valid activities before the first memory reading
START_TIMEOUT = 120.0
REQUEST_TIMEOUT = 60.0
INBOUND = (
    "personal-message",
    "groupchat-message-mention",
    "channel-message-mention",
    "channel-reply-mention",
    "card-action-submit",
    "card-action-execute-invoke",
    "message-submit-action-feedback-invoke",
    "installation-update-add",
    "installation-update-add-groupchat",
    "installation-update-add-team",
    "installation-update-remove",
    "conversation-update-members-added",
    "conversation-update-members-added-groupchat",
    "conversation-update-members-added-team-user",
    "conversation-update-members-removed-team-user",
    "conversation-update-channel-renamed",
    "conversation-update-team-renamed",
    "notification-send-email",
)
COMMANDS = (
    "help",
    "courses",
    "course PERM4",
    "course [x](https://ev.il)",
    "course **PERM4**",
    "course <at>Adele Vance</at>",
    "find safeguarding",
    "enquire PERM4",
    "my enquiries",
    "enquiry ENQ-2026-0001",
    "answer ENQ-2026-0001 [click](https://ev.il)",
    "enquiries",
    "coordinators",
    "coordinators here",
    "outbox",
    "enrol PERM4",
    "enrol [x](https://ev.il)",
    "withdraw PERM4 confirm",
    "offer decline PERM4",
    "my courses",
    "roster PERM4",
    "clash decline 2",
    "clash accept 99999999",
    "reschedule PERM4-A 1 2027-09-20 10:00-15:00",
    "cancel",
)
WRONG_TYPES: tuple[Any, ...] = (None, 0, -1, 1.5, True, "", "x", [], {}, [1, "a"], {"a": {"b": None}})
HOSTILE_STRINGS = (
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udfffy",
    "\ud83d",
    "e\u0301",  # not NFC
    "[x](https://ev.il)",
    "**bold** _it_ `code`",
    "<at>Adele Vance</at>",
    "<script>alert(1)</script>",
    "\u202eevil",
    "' OR 1=1 --",
    "%s%n{0}",
)
FIELDS = (
    ("conversation",),
    ("from",),
    ("recipient",),
    ("serviceUrl",),
    ("channelId",),
    ("channelData",),
    ("id",),
    ("type",),
    ("text",),
    ("value",),
    ("entities",),
    ("timestamp",),
    ("replyToId",),
    ("name",),
    ("membersAdded",),
    ("conversation", "id"),
    ("conversation", "conversationType"),
    ("conversation", "tenantId"),
    ("conversation", "name"),
    ("from", "id"),
    ("from", "name"),
    ("from", "aadObjectId"),
    ("recipient", "id"),
    ("channelData", "tenant"),
    ("channelData", "tenant", "id"),
    ("channelData", "team"),
    ("channelData", "team", "id"),
    ("channelData", "team", "name"),
    ("value", "action"),
    ("value", "action", "verb"),
    ("value", "action", "data"),
    ("value", "verb"),
    ("value", "args"),
)


def _load(name: str) -> dict[str, Any]:
    return json.loads((REFERENCE / f"{name}.json").read_text())


class Hostile:
    """Makes the requests: (body bytes, content type, description) from captured activities."""

    def __init__(self, service_url: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.service_url = service_url
        self.templates = {name: _load(name) for name in INBOUND}
        self.sent: list[bytes] = []  # valid-looking bodies, for redeliveries

    def activity(self, name: str | None = None) -> dict[str, Any]:
        body = copy.deepcopy(self.templates[name or self.rng.choice(INBOUND)])
        body["serviceUrl"] = self.service_url
        body["id"] = str(uuid.uuid4())
        if body.get("type") == "message" and "text" in body:
            text = self.rng.choice(COMMANDS)
            body["text"] = f"<at>Test Bot</at> {text}" if "mention" in json.dumps(body.get("entities", [])) else text
        return body

    def valid(self) -> tuple[bytes, str, str]:
        body = self.activity()
        raw = json.dumps(body).encode()
        self.sent.append(raw)
        return raw, "application/json", "valid"

    def next(self) -> tuple[bytes, str, str]:
        kind = self.rng.choices(
            [
                "valid",
                "missing",
                "wrong_type",
                "hostile_string",
                "long_value",
                "nested",
                "card_data",
                "redelivery",
                "not_json",
                "huge",
            ],
            weights=[20, 15, 15, 15, 10, 5, 8, 6, 4, 2],
        )[0]
        if kind == "valid" or (kind == "redelivery" and not self.sent):
            return self.valid()
        if kind == "redelivery":
            return self.rng.choice(self.sent[-200:]), "application/json", kind
        if kind == "not_json":
            return self._not_json()
        body = self.activity()
        getattr(self, f"_{kind}")(body)
        try:
            raw = json.dumps(body, ensure_ascii=self.rng.random() < 0.5).encode("utf-8", "surrogatepass")
        except RecursionError:
            raw = b"[" * 5000 + b"]" * 5000
        return raw, "application/json", kind

    # -- mutations ----------------------------------------------------------------------------------------

    def _path(self) -> tuple[str, ...]:
        return self.rng.choice(FIELDS)

    def _set(self, body: dict[str, Any], path: tuple[str, ...], value: Any, *, delete: bool = False) -> None:
        node: Any = body
        for key in path[:-1]:
            child = node.get(key) if isinstance(node, dict) else None
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        if delete:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value

    def _missing(self, body: dict[str, Any]) -> None:
        for _ in range(self.rng.randint(1, 3)):
            self._set(body, self._path(), None, delete=True)

    def _wrong_type(self, body: dict[str, Any]) -> None:
        self._set(body, self._path(), copy.deepcopy(self.rng.choice(WRONG_TYPES)))

    def _hostile_string(self, body: dict[str, Any]) -> None:
        path = self.rng.choice([p for p in FIELDS if p[-1] in ("id", "name", "aadObjectId", "text", "args", "verb")])
        words = "".join(self.rng.choice(HOSTILE_STRINGS) for _ in range(self.rng.randint(1, 4)))
        if path == ("text",):
            words = f"{self.rng.choice(COMMANDS)} {words}"
        self._set(body, path, words)

    def _long_value(self, body: dict[str, Any]) -> None:
        path, length = self.rng.choice(
            [
                (("from", "name"), self.rng.choice([201, 256, 300, 5000])),
                (("from", "aadObjectId"), self.rng.choice([65, 200, 4000])),
                (("conversation", "id"), self.rng.choice([513, 2000, 20000])),
                (("conversation", "name"), 1000),
                (("channelData", "tenant", "id"), 100),
                (("channelData", "team", "name"), 1000),
                (("channelData", "team", "id"), 1000),
                (("serviceUrl",), 3000),
                (("id",), 5000),
                (("replyToId",), 5000),
                (("recipient", "id"), 5000),
                (("conversation", "conversationType"), 50),
                (("text",), 100_000),
            ]
        )
        value = "x" * length
        if path == ("serviceUrl",):
            value = self.service_url + "/" + value
        if path == ("text",):
            value = "enquire " + "é" * (length // 2)
        self._set(body, path, value)

    def _nested(self, body: dict[str, Any]) -> None:
        depth = self.rng.choice([50, 200, 1000])
        nested: Any = "deep"
        for _ in range(depth):
            nested = {"a": nested} if self.rng.random() < 0.5 else [nested]
        where = self.rng.choice([("value",), ("channelData",), ("entities",), ("value", "action", "data")])
        self._set(body, where, nested)

    def _card_data(self, body: dict[str, Any]) -> None:
        verbs = ["enquiry.assign", "enquiry.close", "enquiry.reply", "enquiry.reopen", "course", "enrol", "clash", "x"]
        data = {
            self.rng.choice(["enquiry", "args", "verb", "reply", "code", "run", "enrolment"]): self.rng.choice(
                [*WRONG_TYPES, 2**70, -(2**70), "1", "ENQ-2026-0001", "9" * 40, "\u0000", "[x](https://ev.il)"]
            )
            for _ in range(self.rng.randint(0, 4))
        }
        if self.rng.random() < 0.5:
            body["type"] = "invoke"
            body["name"] = self.rng.choice(["adaptiveCard/action", "adaptiveCard/action", "task/fetch", "x/y"])
            body["value"] = {"action": {"type": "Action.Execute", "verb": self.rng.choice(verbs), "data": data}}
        else:
            body["type"] = "message"
            body.pop("text", None)
            body["value"] = {"verb": self.rng.choice(verbs), "args": self.rng.choice(["PERM4", "", 7, None]), **data}

    def _huge(self, body: dict[str, Any]) -> None:
        body["text"] = "help " + "a" * self.rng.choice([200_000, 300_000])

    def _not_json(self) -> tuple[bytes, str, str]:
        raw, content_type = self.rng.choice(
            [
                (b"", "application/json"),
                (b"{", "application/json"),
                (b"[]", "application/json"),
                (b"null", "application/json"),
                (b'"message"', "application/json"),
                (b'{"type": "message"', "application/json"),
                (b"\xff\xfe\x00", "application/json"),
                (b'{"type": "message"}', "text/plain"),
                (b"[" * 100_000, "application/json"),
                (b'{"type": "message", "text": "\\ud800"}', "application/json"),
                (b'{"type": 5}', "application/json"),
                (b"NaN", "application/json"),
            ]
        )
        return raw, content_type, "not_json"


# ---------------------------------------------------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _start_bot(database_url: str, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)}
    for name in ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "ADMIN_AAD_OBJECT_IDS"):
        env.pop(name, None)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "demo", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = re.search(rb"Bot endpoint : (http://127\.0\.0\.1:\d+/api/messages)", log_path.read_bytes())
        if found:
            return process, found[1].decode()
        if process.poll() is not None:
            raise SystemExit(f"the bot exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the bot did not start in time")


async def _wipe_postgres(database_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _post_all(
    endpoint: str, requests: list[tuple[bytes, str, str]], on_status: Callable[[str, int], None]
) -> None:
    queue: asyncio.Queue[tuple[bytes, str, str]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def worker() -> None:
            while not queue.empty():
                raw, content_type, kind = queue.get_nowait()
                try:
                    async with session.post(endpoint, data=raw, headers={"Content-Type": content_type}) as answer:
                        await answer.read()
                        on_status(kind, answer.status)
                except (aiohttp.ClientError, TimeoutError) as error:
                    on_status(kind, 0)
                    print(f"request failed: {type(error).__name__}: {error}", file=sys.stderr)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def _main(args: argparse.Namespace) -> int:
    if args.database_url.startswith("postgresql"):
        await _wipe_postgres(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="hostile-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'hostile.sqlite3'}"
    log_path = workdir / "bot.log"
    members = _load("connector-get-paged-members")["members"]
    async with FakeConnector(record=False) as connector:
        for conversation in ("33fc008e-8cd1-4344-bbec-5128707c3b3f", "team-id"):
            connector.members[conversation] = [{**m, "objectId": m["aadObjectId"]} for m in members]
        process, endpoint = _start_bot(database_url, log_path)
        try:
            hostile = Hostile(connector.service_url, args.seed)
            statuses: Counter[int] = Counter()
            by_kind: Counter[tuple[str, int]] = Counter()

            def count(kind: str, status: int) -> None:
                statuses[status] += 1
                by_kind[(kind, status)] += 1

            await _post_all(endpoint, [hostile.valid() for _ in range(WARMUP)], lambda _k, _s: None)
            rss_before = _rss_kb(process.pid)
            started = time.monotonic()
            await _post_all(endpoint, [hostile.next() for _ in range(args.requests)], count)
            elapsed = time.monotonic() - started
            await asyncio.sleep(1.0)  # let the outbox finish what the last turns queued before reading memory
            rss_after = _rss_kb(process.pid)
            alive = process.poll() is None
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    log_text = log_path.read_text(errors="replace")
    errors = sum(1 for line in log_text.splitlines() if " ERROR " in line or " CRITICAL " in line)
    tracebacks = log_text.count("Traceback (most recent call last)")
    warnings = sum(1 for line in log_text.splitlines() if " WARNING " in line)
    five_xx = sum(n for status, n in statuses.items() if status >= 500 and status != 501)

    for kind in sorted({k for k, _ in by_kind}):
        row = ", ".join(f"{status}: {n}" for (k, status), n in sorted(by_kind.items()) if k == kind)
        print(f"{kind:<15} {row}")
    if tracebacks and args.show_log:
        print(log_text[-20000:], file=sys.stderr)
    print(f"bot log: {log_path}")
    print(
        f"requests={args.requests} seconds={elapsed:.1f} "
        + " ".join(f"status_{status}={n}" for status, n in sorted(statuses.items()))
        + f" 5xx_not_501={five_xx} error_lines={errors} tracebacks={tracebacks} warning_lines={warnings}"
        f" rss_before_mb={rss_before / 1024:.1f} rss_after_mb={rss_after / 1024:.1f} bot_alive={int(alive)}"
    )
    return 0 if alive else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000, help="hostile requests to send (default 10,000)")
    parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL to run on (its schema is wiped)")
    parser.add_argument("--show-log", action="store_true", help="print the end of the bot's log when it has tracebacks")
    return asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
