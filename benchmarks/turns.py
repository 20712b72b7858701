"""Turns per second of our Bot Framework edge against stock botbuilder and a bare aiohttp handler, side by side.

Run from the repository root (about two minutes on 2 cores)::

    python benchmarks/turns.py            # add --seconds 15 for steadier figures, --quick for a smoke run

Every process is on loopback. A services process runs the fake Bot Connector the bots reply to and the fake
identity provider (tests/support). Each scenario starts its own bot process; the load generator (this process,
raw HTTP/1.1 keep-alive sockets, so the client is not the bottleneck) posts Teams-shaped activities (the
Playground's ``personal-message.json``, a fresh activity id each, spread over 256 users/conversations) at
concurrency 32 for a fixed time after a warm-up, and records each request's latency.

Our bot and our edge run on the event loop the bot serves on in production (``bot/event_loop.py``: uvloop); stock
botbuilder and the bare handler on asyncio's own, as botbuilder's samples run. Our bot's database is seeded by a
child process before it starts, as a deployment migrates before the bot serves.

Scenarios:

    a       bare aiohttp handler: json.loads of the same body, answer 201
    b       stock botbuilder echo bot: CloudAdapter with ConfigurationBotFrameworkAuthentication defaults
    b-edge  the same echo bot on our edge (bot.adapter.build_adapter + process_request, parsing as in
            bot/app.py): what the edge alone gains over stock, without our bot's own work
    c       our bot (bot.app.create_app) answering "help" (roles read, dialog state, help card)
    d       our bot's heaviest common card action: a coordinator presses "Assign to me" on an enquiry's card (an
            Action.Execute invoke). One transaction checks the coordinator, locks the enquiry, records the
            assignment and makes every copy of its card due again with the new state; the answer is the updated
            card. The outbox dispatcher in the same process then replaces the copy in the coordinators' channel
            (PUT), within Teams' rate limits, so many presses become few updates. 256 coordinators take 32
            enquiries in turn, so every press changes the assignee and writes (checked: writes/turn must be
            1.00). (A reply from the card writes one more row, a message to the enquirer; at hundreds a second
            those would pile up behind Teams' 50 messages/s, so the benchmark would measure the backlog.)
    d-install  installationUpdate "add": upserts the conversation and the person, answers the welcome card
    d-card  our bot answering a card button (Action.Submit {verb: course, args: <code>}: course details card)
    d-details-typed  the same details card asked for in words: "course PERM4"
    c-courses        our bot answering "courses": the course list (every course, its next run, places left)
    c-my-courses  "my courses" typed: each user holds places on two demo runs (PERM4-A, PERMPLAN-1: seeded through
            the enrolment service, the runs made roomy enough, nothing of theirs due to be sent while measured), so
            the card lists both with their next dates and calendar links
    d-enrol  the enrolment steps, each user (known, organisation confirmed, as in c-my-courses, but with no places)
            going round: "enrol PERMPLAN-2" (the terms card asking to confirm),
            pressing its "Confirm my place" (an Action.Execute answer invoke: the place taken, the reminders and
            the survey queued, the question card answered, the confirmation card sent), then "withdraw
            PERMPLAN-2 confirm" (the place given up), so the run never fills; cpu/turn is the mean of the three
    c-auth, d-auth   c and d with authentication on: a channel token minted by the fake provider on every request
            (the same token, as Teams reuses its tokens), the reply signed with a token from its token endpoint
    c-auth-full      c-auth with the validated-token cache off: botbuilder's full validation on every request

It prints rps, p50 and p99 per scenario, the bot process's CPU per turn and peak memory (VmHWM), replies
received by the connector per turn, the auth cost per turn, and finally
``c_over_b=… d_over_b=… c_over_a=… p99_c_over_p99_b=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REFERENCE = ROOT / "tests" / "fixtures" / "teams-activities"  # captured Playground activities
APP_ID = "00000000-0000-0000-0000-00000000000011"
APP_SECRET = "benchmark-secret"
CONCURRENCY = 32
POOL = 256  # distinct users/conversations the requests cycle through
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ENQUIRIES = 32
COORDINATORS_CHANNEL = "19:bench-coordinators@thread.tacv2"
# "Assign to me" on the enquiry card; "@E@" becomes the enquiry id: consecutive requests act on different ones.
ASSIGN_ACTION = {
    "action": {"type": "Action.Execute", "title": "Assign to me", "verb": "enquiry.assign", "data": {"enquiry": "@E@"}}
}
MY_RUNS = ("PERM4-A", "PERMPLAN-1")  # c-my-courses: every user holds a place on each
ENROL_RUN = "PERMPLAN-2"  # d-enrol: one session, so its terms card asks "Confirm my place" / "No thanks"
# The terms card's "Confirm my place" (dialogs.cards.answers); naming no question, as a card from before questions
# were named, so the press is taken by whichever question of the enrol dialog is in progress: the terms'.
CONFIRM_PLACE = {
    "action": {"type": "Action.Execute", "title": "Confirm my place", "verb": "answer", "data": {"args": "confirm"}}
}
BENCH_ORGANISATION = "Brighton & Hove City Council"  # PERM4-A is open to its staff only


@dataclass(frozen=True)
class Step:
    """One turn of a scenario whose users go round several turns (``Scenario.cycle``)."""

    activity: str  # reference file
    text: str | None = None
    value: dict[str, Any] | None = None


@dataclass(frozen=True)
class Scenario:
    key: str
    server: str  # bare | stock | ours
    activity: str  # reference file
    text: str | None = None
    value: dict[str, Any] | None = None
    auth: bool = False
    remember_tokens: bool = True
    enquiries: int = 0  # enquiries seeded (with coordinators and their channel) for the card-action scenarios
    description: str = ""
    # Each user's turns go round these in order, instead of repeating (activity, text, value).
    cycle: tuple[Step, ...] = ()
    # Every user known, working for BENCH_ORGANISATION (confirmed), and holding a place on each of ``enrolments``;
    # every run then has room for every user.
    participants: bool = False
    enrolments: tuple[str, ...] = ()


SCENARIOS = {
    "a": Scenario("a", "bare", "personal-message", "help", description="bare aiohttp handler, json.loads"),
    "b": Scenario("b", "stock", "personal-message", "help", description="stock botbuilder echo bot"),
    "b-edge": Scenario("b-edge", "edge", "personal-message", "help", description="b's echo bot on our edge"),
    "c": Scenario("c", "ours", "personal-message", "help", description="our bot: help"),
    "d": Scenario(
        "d",
        "ours",
        "card-action-execute-invoke",
        value=ASSIGN_ACTION,
        enquiries=ENQUIRIES,
        description="our bot: enquiry card assign (DB write + card)",
    ),
    "d-install": Scenario(
        "d-install", "ours", "installation-update-add", description="our bot: install (DB write + card)"
    ),
    "d-card": Scenario(
        "d-card",
        "ours",
        "card-action-submit",
        value={"verb": "course", "args": "PERM4"},
        description="our bot: card button (details card)",
    ),
    "d-details-typed": Scenario(
        "d-details-typed", "ours", "personal-message", "course PERM4", description="our bot: course PERM4 (typed)"
    ),
    "c-courses": Scenario("c-courses", "ours", "personal-message", "courses", description="our bot: courses (list)"),
    "c-my-courses": Scenario(
        "c-my-courses",
        "ours",
        "personal-message",
        "my courses",
        participants=True,
        enrolments=MY_RUNS,
        description="our bot: my courses (two places each)",
    ),
    "d-enrol": Scenario(
        "d-enrol",
        "ours",
        "personal-message",
        cycle=(
            Step("personal-message", f"enrol {ENROL_RUN}"),
            Step("card-action-execute-invoke", value=CONFIRM_PLACE),
            Step("personal-message", f"withdraw {ENROL_RUN} confirm"),
        ),
        participants=True,
        description="our bot: enrol, confirm, withdraw (mean)",
    ),
    "c-auth": Scenario("c-auth", "ours", "personal-message", "help", auth=True, description="c with auth on"),
    "d-auth": Scenario(
        "d-auth",
        "ours",
        "card-action-execute-invoke",
        value=ASSIGN_ACTION,
        enquiries=ENQUIRIES,
        auth=True,
        description="d with auth on",
    ),
    "c-auth-full": Scenario(
        "c-auth-full",
        "ours",
        "personal-message",
        "help",
        auth=True,
        remember_tokens=False,
        description="c-auth, every token fully validated",
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# services process: fake connector + fake identity provider
# ---------------------------------------------------------------------------------------------------------------


async def _services() -> None:
    from aiohttp import web

    from tests.support.fake_connector import FakeConnector
    from tests.support.fake_identity_provider import FakeIdentityProvider

    connector = await FakeConnector(record=False).start()
    idp = await FakeIdentityProvider().start()
    settings = idp.bot_settings(app_id=APP_ID, password=APP_SECRET)
    connector.authorize = None  # the auth-off bots send no token; auth-on replies are checked by the bot's tests

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(
            {
                "connector_requests": connector.request_count,
                "token_requests": idp.token_requests,
                "jwks_requests": idp.jwks_requests,
            }
        )

    app = web.Application()
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stats_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    token = idp.channel_token(app_id=APP_ID, service_url=connector.service_url, lifetime=4 * 3600)
    print(
        json.dumps(
            {
                "service_url": connector.service_url,
                "stats": f"http://127.0.0.1:{stats_port}/stats",
                "auth_settings": settings,
                "token": token,
            }
        ),
        flush=True,
    )
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    await runner.cleanup()
    await connector.close()
    await idp.close()


# ---------------------------------------------------------------------------------------------------------------
# bot processes
# ---------------------------------------------------------------------------------------------------------------


def _bare_app() -> Any:
    from aiohttp import web

    async def messages(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        if not isinstance(body, dict) or "type" not in body:
            return web.Response(status=400)
        return web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def _echo_bot() -> Any:
    from botbuilder.core import ActivityHandler, TurnContext

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(f"Echo: {turn_context.activity.text}")

    return EchoBot()


def _edge_app() -> Any:
    from aiohttp import web
    from botbuilder.schema import Activity

    from bot.adapter import build_adapter, process_request
    from bot.connector import create_client_session
    from bot.connector.serialization import read_wire
    from bot.inbound import read_activity
    from bot.settings import Settings

    bot = _echo_bot()
    app = web.Application()

    async def startup(app: web.Application) -> Any:
        session = create_client_session()
        app["adapter"] = build_adapter(Settings(database_url="sqlite://"), session=session)
        yield
        await session.close()

    async def messages(request: web.Request) -> web.Response:
        activity = read_wire(Activity, read_activity(await request.read()))
        return await process_request(app["adapter"], activity, request.headers.get("Authorization", ""), bot)

    app.cleanup_ctx.append(startup)
    app.router.add_post("/api/messages", messages)
    return app


def _stock_app() -> Any:
    from types import SimpleNamespace

    from aiohttp import web
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = _echo_bot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def _aad(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"  # the load generator's users, see _Bodies


async def _seed_enquiries(session_factory: Any, service_url: str, count: int) -> None:
    """POOL coordinators (every benchmark user), their channel, and ``count`` enquiries whose cards went there."""
    from datetime import UTC, datetime

    from classroom.clock import SystemClock
    from classroom.coordinators import ChatMember, set_coordinators_conversation
    from classroom.enquiries.fields import EnquiryDraft
    from classroom.enquiries.service import EnquiryService
    from classroom.people import assign_roles
    from storage.models import ConversationRecord, EnquiryKind, Role

    def conversation(conversation_id: str, kind: str, user: str | None = None) -> ConversationRecord:
        reference = {
            "bot": {"id": f"28:{APP_ID}", "name": "Classroom"},
            "channelId": "msteams",
            "serviceUrl": service_url,
            "conversation": {"id": conversation_id, "conversationType": kind},
            "user": {"id": f"29:{user}", "aadObjectId": user} if user else None,
        }
        return ConversationRecord(
            conversation_id=conversation_id,
            conversation_type=kind,
            tenant_id="bench",
            service_url=service_url,
            user_aad_object_id=user,
            reference=reference,
        )

    now = datetime.now(UTC)
    enquiries = EnquiryService(session_factory, SystemClock())
    enquirers = [f"bench-enquirer-{e:04d}" for e in range(count)]
    async with session_factory.begin() as session:
        for n in range(POOL):
            await assign_roles(session, _aad(n), [Role.COORDINATOR], f"Coordinator {n}")
        session.add(conversation(COORDINATORS_CHANNEL, "channel"))
        session.add_all(conversation(f"a:{aad}", "personal", aad) for aad in enquirers)
    async with session_factory.begin() as session:
        members = [ChatMember(_aad(n), f"Coordinator {n}") for n in range(POOL)]
        await set_coordinators_conversation(session, COORDINATORS_CHANNEL, by=_aad(0), now=now, members=members)
    for e, aad in enumerate(enquirers):
        draft = EnquiryDraft(
            kind=EnquiryKind.QUESTION,
            course_codes=["PERM4"],
            name=f"Enquirer {e}",
            email=f"enquirer{e}@example.org",
            organisation="Brighton & Hove City Council",
            role="Social worker",
            message="Is there a later date for PERM4? I'm in court that day.",
        )
        await enquiries.submit(draft, enquirer=aad, idempotency_key=f"bench-{e}")


async def _seed_enrolments(session_factory: Any, runs: tuple[str, ...]) -> None:
    """Every benchmark user, working for ``BENCH_ORGANISATION`` (confirmed), holding a place on each of ``runs``."""
    from classroom.clock import SystemClock
    from classroom.enrolment.organisations import assign_organisation_by_name
    from classroom.enrolment.policy import EnrolmentPolicy
    from classroom.enrolment.service import EnrolmentService
    from classroom.evaluation.policy import BeforeAt, EvaluationTiming
    from classroom.people import ensure_person

    async with session_factory.begin() as session:
        for n in range(POOL):
            await ensure_person(session, _aad(n), f"Participant {n}")
            await assign_organisation_by_name(session, _aad(n), BENCH_ORGANISATION)
    # Each place's survey "before" the course goes at its first session, not at once: sent at once, the bot would
    # deliver the 512 surveys of the seeding while ``my courses`` is measured, and count their CPU as the turns'.
    policy = EnrolmentPolicy(evaluation=EvaluationTiming(before_at=BeforeAt.FIRST_SESSION))
    enrolment = EnrolmentService(session_factory, SystemClock(), policy)
    for n in range(POOL):
        for run in runs:
            await enrolment.enrol(_aad(n), run)


def _roomy(document: Any) -> Any:
    """The catalogue with room on every run for every benchmark user (the demo's runs hold 16 or 18)."""
    from dataclasses import replace

    courses = tuple(
        replace(course, runs=tuple(replace(run, capacity=max(run.capacity, 2 * POOL)) for run in course.runs))
        for course in document.courses
    )
    return replace(document, courses=courses)


async def _seed_database(url: str, service_url: str = "", enquiries: int = 0, scenario: str = "") -> None:
    from datetime import date

    from classroom.catalogue.importer import import_catalogue
    from classroom.demo.catalogue import demo_catalogue
    from storage.engine import create_engine, create_session_factory
    from storage.migrate import upgrade

    seeding = SCENARIOS.get(scenario)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        catalogue = demo_catalogue(date.today())
        if seeding is not None and seeding.participants:
            catalogue = _roomy(catalogue)
        async with session_factory.begin() as session:
            await import_catalogue(session, catalogue)
        if enquiries:
            await _seed_enquiries(session_factory, service_url, enquiries)
        if seeding is not None and seeding.participants:
            await _seed_enrolments(session_factory, seeding.enrolments)
    finally:
        await engine.dispose()


def _our_app(database_url: str, auth_settings: dict[str, Any] | None) -> Any:
    from bot.app import create_app, freeze_startup_objects
    from bot.settings import Settings

    app = create_app(Settings(database_url=database_url, log_level="WARNING", **(auth_settings or {})))
    app.on_startup.append(freeze_startup_objects)  # as `classroom-bot serve` does
    return app


async def _serve_bot(
    kind: str,
    database_url: str,
    auth_settings: dict[str, Any] | None,
    remember_tokens: bool,
    service_url: str,
    enquiries: int,
    scenario: str = "",
) -> None:
    import logging

    from aiohttp import web

    if not remember_tokens:
        import bot.auth.authentication

        bot.auth.authentication.VALIDATED_TOKEN_CACHE_SIZE = 0

    logging.basicConfig(level=logging.ERROR)
    if kind == "bare":
        app = _bare_app()
    elif kind == "stock":
        app = _stock_app()
    elif kind == "edge":
        app = _edge_app()
    else:
        # Seeded by a child, as a deployment migrates before the bot serves: the bot then finds its schema current
        # and never loads Alembic or the seeding code, so its memory is what it would be in production.
        seeding = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "_seed", database_url, service_url, str(enquiries), scenario
        )
        if await seeding.wait() != 0:
            raise RuntimeError("seeding the benchmark's database failed")
        app = _our_app(database_url, auth_settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"port": port}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


# ---------------------------------------------------------------------------------------------------------------
# load generator
# ---------------------------------------------------------------------------------------------------------------


class _Bodies:
    """Request bodies with a fresh activity id each, cycling through POOL users and conversations."""

    def __init__(
        self, scenario: Scenario, service_url: str, enquiry_ids: list[int] | None = None, pool: int = POOL
    ) -> None:
        steps = scenario.cycle or (Step(scenario.activity, scenario.text, scenario.value),)
        self._templates = [self._template(step, service_url) for step in steps]
        self._run = uuid.uuid4().hex[:8]
        self._enquiries = enquiry_ids or []  # the seeded enquiries' ids, for "@E@"
        self._pool = pool  # distinct users the requests cycle through

    @staticmethod
    def _template(step: Step, service_url: str) -> str:
        template = json.loads((REFERENCE / f"{step.activity}.json").read_text())
        template["serviceUrl"] = service_url
        template["id"] = "@ID@"
        template["conversation"]["id"] = "a:bench-conversation-@N@"
        template["from"]["id"] = "29:bench-user-@N@"
        template["from"]["aadObjectId"] = "00000000-0000-0000-0000-@AAD@"
        if step.text is not None:
            template["text"] = step.text
        if step.value is not None:
            template["value"] = step.value
        return json.dumps(template)

    def __getitem__(self, i: int) -> bytes:
        n = i % self._pool
        # A cycle's users each go round its steps in order (request i is user n's (i // pool)-th turn), each starting
        # at another step, so any stretch of requests holds every step alike. The first round, the warm-up's, finds
        # some users out of step (a press with no question open): they are in step from the second on.
        template = self._templates[(i // self._pool + n) % len(self._templates)]
        body = template.replace("@ID@", f"{self._run}-{i}").replace("@N@", str(n)).replace("@AAD@", f"{n:012d}")
        if self._enquiries:
            # Consecutive requests act on different enquiries, and each pass over the users shifts who presses which,
            # so a user's next press on the same enquiry is thousands of requests away: requests answered out of
            # order (a slow one overtaken) can never make someone assign to themselves what they already hold.
            enquiry = (i + i // self._pool) % len(self._enquiries)
            body = body.replace('"@E@"', str(self._enquiries[enquiry]))
        return body.encode()


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that sends a request, waits for the answer, and sends the next.

    A bare protocol (no stream reader, no header dict) so one core generates well over 10,000 requests/s and
    the load generator is not what limits the bare-handler scenario.
    """

    def __init__(self, load: _Load) -> None:
        self.load = load
        self.buffer = b""
        self.expected: int | None = None
        self.status = 0
        self.started = 0.0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.send_next()

    @property
    def open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    def send_again(self) -> None:
        """Start sending on this connection again, for another round."""
        self.done = asyncio.get_running_loop().create_future()
        self.send_next()

    def send_next(self) -> None:
        if time.perf_counter() >= self.load.stop_at:
            if not self.done.done():
                self.done.set_result(None)
            return
        self.started = time.perf_counter()
        assert self.transport is not None
        self.transport.write(self.load.request(self.load.take()))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.expected is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buffer[:end]
                self.status = int(head[9:12])
                at = head.lower().find(b"content-length:")
                if at < 0:
                    raise RuntimeError("the load generator needs Content-Length answers")
                self.expected = end + 4 + int(head[at + 15 :].split(b"\r\n", 1)[0])
            if len(self.buffer) < self.expected:
                return
            self.buffer = self.buffer[self.expected :]
            self.expected = None
            self.load.completed(self.status, time.perf_counter() - self.started)
            self.send_next()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None  # between rounds: the bot closed an idle connection, and the next round reopens it
        if not self.done.done():
            self.done.set_exception(exc or ConnectionError("connection closed by the bot"))


class _Load:
    def __init__(self, port: int, bodies: _Bodies, authorization: str | None) -> None:
        self.port = port
        self.bodies = bodies
        self.next = 0
        self.auth = f"Authorization: {authorization}\r\n" if authorization else ""
        self.head = (
            f"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"{self.auth}Content-Length: "
        )
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.record = False
        self.stop_at = 0.0
        # Kept open from one round to the next, as Teams keeps its connections to a bot: a round that opened 32
        # at once measured their set-up, and its first answers made up the whole of p99 (``turns.py`` rounds are
        # seconds apart; one the bot closed meanwhile is opened again).
        self.connections: list[_Connection] = []

    def take(self) -> int:
        self.next += 1
        return self.next - 1

    def request(self, index: int) -> bytes:
        body = self.bodies[index]
        return f"{self.head}{len(body)}\r\n\r\n".encode() + body

    def completed(self, status: int, latency: float) -> None:
        if self.record:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    async def run(self, seconds: float, record: bool, *, at_least: int = 0) -> float:
        """Keep CONCURRENCY requests in flight for ``seconds`` (and until ``at_least`` requests were sent)."""
        self.record = record
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        self.stop_at = started + seconds
        first = self.next
        self.connections = [c for c in self.connections if c.open]
        for c in self.connections:
            c.send_again()
        while len(self.connections) < CONCURRENCY:
            _transport, protocol = await loop.create_connection(lambda: _Connection(self), "127.0.0.1", self.port)
            self.connections.append(protocol)
        await asyncio.gather(*(c.done for c in self.connections))
        while self.next - first < at_least:  # bounded: at most at_least more requests
            self.stop_at = time.perf_counter() + seconds
            for c in self.connections:
                c.send_again()
            await asyncio.gather(*(c.done for c in self.connections))
        return time.perf_counter() - started


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _stats(url: str) -> dict[str, int]:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return await response.json()


def _spawn(*args: str, script: str = __file__) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start ``script`` (this file unless another benchmark reuses it) with ``args``; its first line is JSON."""
    process = subprocess.Popen(
        [sys.executable, script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"{args[0]} process failed to start (exit {process.wait()})")
    return process, json.loads(line)


def _stop(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


@dataclass
class Result:
    scenario: Scenario
    requests: int
    elapsed: float
    p50: float
    p99: float
    cpu_per_turn_ms: float
    peak_mb: float
    replies_per_turn: float
    token_requests: int
    statuses: dict[int, int]
    writes_per_turn: float | None = None  # d: assignments the database holds per request sent (must be 1.00)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed


class _Running:
    """One scenario's bot process and load, measured in several interleaved rounds.

    Another benchmark may start the bot through its own script (``bot_script``, with ``bot_args`` after
    this file's), to wrap it."""

    bot_script: str = __file__
    bot_args: tuple[str, ...] = ()

    def __init__(self, scenario: Scenario, services: dict[str, Any], workdir: Path, database_url: str | None) -> None:
        self.scenario = scenario
        self.services = services
        self.url = database_url or f"sqlite+aiosqlite:///{workdir / f'bench-{scenario.key}.sqlite3'}"
        self.process: subprocess.Popen[str] | None = None
        self.load: _Load | None = None
        self.elapsed = 0.0
        self.cpu = 0.0
        self.replies = 0
        self.token_requests = 0

    async def start(self, warmup: float) -> None:
        auth = self.services["auth_settings"] if self.scenario.auth else None
        at_start = await _stats(self.services["stats"])
        self.process, ready = _spawn(
            "_bot",
            self.scenario.server,
            self.url,
            json.dumps(auth),
            "1" if self.scenario.remember_tokens else "0",
            self.services["service_url"],
            str(self.scenario.enquiries),
            *self.bot_args,
            self.scenario.key,  # last: a wrapping script reads its own arguments where they were
            script=self.bot_script,
        )
        authorization = f"Bearer {self.services['token']}" if self.scenario.auth else None
        enquiry_ids = await _bench_enquiries(self.url) if self.scenario.enquiries else None
        bodies = _Bodies(self.scenario, self.services["service_url"], enquiry_ids)
        self.load = _Load(ready["port"], bodies, authorization)
        await self.load.run(warmup, record=False, at_least=POOL)  # every user and conversation seen once
        # Only one bot is busy at a time, so the provider's requests in this window are this bot's.
        self.token_requests += (await _stats(self.services["stats"]))["token_requests"] - at_start["token_requests"]

    async def measure(self, seconds: float) -> None:
        assert self.process is not None and self.load is not None
        before = await _stats(self.services["stats"])
        cpu_before = _cpu_seconds(self.process.pid)
        self.elapsed += await self.load.run(seconds, record=True)
        self.cpu += _cpu_seconds(self.process.pid) - cpu_before
        after = await _stats(self.services["stats"])
        self.replies += after["connector_requests"] - before["connector_requests"]
        self.token_requests += after["token_requests"] - before["token_requests"]

    async def stop(self) -> Result:
        assert self.process is not None and self.load is not None
        peak = _peak_rss_mb(self.process.pid)
        _stop(self.process)
        latencies = sorted(self.load.latencies)
        count = len(latencies)
        return Result(
            self.scenario,
            count,
            self.elapsed,
            statistics.median(latencies) * 1000,
            latencies[min(count - 1, int(count * 0.99))] * 1000,
            self.cpu / count * 1000,
            peak,
            self.replies / count,
            self.token_requests,
            self.load.statuses,
            await _assignments_recorded(self.url) / self.load.next if self.scenario.enquiries else None,
        )


BENCH_ENQUIRY = "bench-%"  # the idempotency keys of the enquiries _seed_enquiries submits


async def _bench_enquiries(url: str) -> list[int]:
    """The seeded enquiries' ids (the bot process seeded them; other stored enquiries are not ours to press)."""
    from sqlalchemy import select

    from storage.engine import create_engine
    from storage.models import Enquiry

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            statement = select(Enquiry.id).where(Enquiry.idempotency_key.like(BENCH_ENQUIRY)).order_by(Enquiry.id)
            return list(await connection.scalars(statement))
    finally:
        await engine.dispose()


async def _assignments_recorded(url: str) -> int:
    """Assignments stored: proof that every d turn wrote what it claims, not only answered 200."""
    from sqlalchemy import func, select

    from storage.engine import create_engine
    from storage.models import Enquiry, EnquiryAction, EnquiryEvent

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            statement = (
                select(func.count())
                .select_from(EnquiryEvent)
                .join(Enquiry, Enquiry.id == EnquiryEvent.enquiry_id)
                .where(EnquiryEvent.action == EnquiryAction.ASSIGNED, Enquiry.idempotency_key.like(BENCH_ENQUIRY))
            )
            return int(await connection.scalar(statement) or 0)
    finally:
        await engine.dispose()


async def _validation_cost(services: dict[str, Any]) -> tuple[float, float]:
    """CPU ms of authenticating one request in-process: (full botbuilder validation, remembered token)."""
    import logging

    from botbuilder.schema import Activity

    from bot.adapter import EdgeAdapter
    from bot.settings import Settings

    logging.getLogger("bot").setLevel(logging.ERROR)
    activity = Activity().deserialize(json.loads(_Bodies(SCENARIOS["c"], services["service_url"])[0]))
    header = f"Bearer {services['token']}"
    costs = []
    for cache_size in (0, 4096):
        adapter = EdgeAdapter(Settings(database_url="sqlite://", **services["auth_settings"]))
        adapter.bot_framework_authentication._cache_size = cache_size  # type: ignore[attr-defined]
        try:
            await adapter.authenticate(activity, header)  # loads the signing keys
            started = time.process_time()
            for _ in range(500):
                await adapter.authenticate(activity, header)
            costs.append((time.process_time() - started) / 500 * 1000)
        finally:
            await adapter.close()
    return costs[0], costs[1]


async def _main(args: argparse.Namespace) -> int:
    services_process, services = _spawn("_services")
    try:
        results = await _run_scenarios(args, services)
        for key, result in results.items():
            _print_result(key, result)
        full, remembered = await _validation_cost(services)
        print(
            f"token validation per request, in-process CPU: {full:.3f} ms full (botbuilder's validation), "
            f"{remembered:.3f} ms for a token already validated"
        )
    finally:
        _stop(services_process)
    _print_auth_costs(results)
    _print_ratios(results)
    # A run whose turns failed or did not write measured something else: say so in the exit code.
    failed = [key for key, result in results.items() if _invalid(result)]
    if failed:
        print(f"INVALID: {', '.join(failed)} answered with errors or did not write on every turn", file=sys.stderr)
        return 1
    return 0


async def _run_scenarios(args: argparse.Namespace, services: dict[str, Any]) -> dict[str, Result]:
    """Every scenario's result; a bot still running when something fails is stopped, so no process is left."""
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="turns-bench-") as tmp:
        running = {key: _Running(SCENARIOS[key], services, Path(tmp), args.database_url) for key in args.scenarios}
        try:
            if args.database_url:
                await _run_one_at_a_time(running, args, results)
            else:
                await _run_interleaved(running, args)
        finally:
            for key, run in running.items():
                if run.process is not None and key not in results:
                    results[key] = await run.stop()
    return results


async def _run_one_at_a_time(
    running: dict[str, _Running], args: argparse.Namespace, results: dict[str, Result]
) -> None:
    """One shared PostgreSQL: each scenario runs alone, start to stop, on an empty schema."""
    from tests.support.postgres import fresh_schema

    for key, run in running.items():
        await fresh_schema(args.database_url, migrate=False)  # the bot migrates it
        await run.start(args.warmup)
        for _round in range(args.rounds):
            await run.measure(args.seconds / args.rounds)
        results[key] = await run.stop()


async def _run_interleaved(running: dict[str, _Running], args: argparse.Namespace) -> None:
    """Interleaved rounds, so a change in the machine's background load hits every scenario alike."""
    for run in running.values():
        await run.start(args.warmup)
    for _round in range(args.rounds):
        for run in running.values():
            await run.measure(args.seconds / args.rounds)


def _print_result(key: str, result: Result) -> None:
    bad = {s: n for s, n in result.statuses.items() if not 200 <= s < 300}
    print(
        f"{key:11} {result.scenario.description:42} {result.rps:9.1f} rps  p50 {result.p50:7.2f} ms  "
        f"p99 {result.p99:7.2f} ms  cpu/turn {result.cpu_per_turn_ms:6.2f} ms  "
        f"peak {result.peak_mb:6.1f} MB  replies/turn {result.replies_per_turn:4.2f}"
        + (f"  writes/turn {result.writes_per_turn:4.2f}" if result.writes_per_turn is not None else "")
        + (f"  NON-2XX {bad}" if bad else ""),
        flush=True,
    )


def _ratio(x: float, y: float) -> str:
    return f"{x / y:.2f}" if y else "nan"


def _print_auth_costs(results: dict[str, Result]) -> None:
    """What authentication adds to a turn: each secured scenario against its plain one, when both ran."""
    if "c-auth" not in results or "c" not in results:
        return
    for plain, secured in (("c", "c-auth"), ("c", "c-auth-full"), ("d", "d-auth")):
        if plain in results and secured in results:
            p, s = results[plain], results[secured]
            cpu = s.cpu_per_turn_ms - p.cpu_per_turn_ms
            print(
                f"auth cost per turn ({secured} vs {plain}): cpu {cpu:+.2f} ms, "
                f"p50 {s.p50 - p.p50:+.2f} ms, throughput {_ratio(s.rps, p.rps)}x; token requests to the "
                f"identity provider by that bot process: {s.token_requests}"
            )


def _print_ratios(results: dict[str, Result]) -> None:
    """The final key=value line, printed only when a, b, c and d all ran."""
    a, b, c, d = (results.get(k) for k in "abcd")
    if a and b and c and d:
        print(
            f"c_over_b={_ratio(c.rps, b.rps)} d_over_b={_ratio(d.rps, b.rps)} c_over_a={_ratio(c.rps, a.rps)} "
            f"p99_c_over_p99_b={_ratio(c.p99, b.p99)}"
        )


def _invalid(result: Result) -> bool:
    """Some turn answered other than 2xx, or turns that should write did not all write."""
    return any(not 200 <= status < 300 for status in result.statuses) or (
        result.writes_per_turn is not None and result.writes_per_turn < 0.999
    )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_services":
        asyncio.run(_services())
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_seed":
        asyncio.run(_seed_database(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_bot":
        kind, database_url, auth, remember = sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5] == "1"
        scenario = sys.argv[8] if len(sys.argv) > 8 else ""
        # Our bot and edge on the loop the bot serves on in production (bot/event_loop.py: uvloop); stock botbuilder
        # and the bare handler on asyncio's, as botbuilder's samples run.
        serve = _serve_bot(kind, database_url, auth, remember, sys.argv[6], int(sys.argv[7]), scenario)
        if kind in ("ours", "edge"):
            from bot.event_loop import run

            run(serve)
        else:
            asyncio.run(serve)
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per scenario (default 8)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per scenario (default 2)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds the seconds are split into")
    parser.add_argument("--quick", action="store_true", help="2 s per scenario, 0.5 s warm-up: a smoke run")
    parser.add_argument(
        "--database-url",
        default=None,
        help="run our scenarios on this PostgreSQL database (WIPED before each), one after another, "
        "instead of each on a fresh SQLite file, interleaved",
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
