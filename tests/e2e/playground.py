"""The Microsoft 365 Agents Playground (npm ``@microsoft/m365agentsplayground``, pinned in package.json):
its configuration from our demo people, starting it on loopback, and driving it by REST and WebSocket.

The REST/WebSocket endpoints are the Playground's internal ones, described in
``shared/reference/teams-activities/README.md`` and checked against 0.2.28; that is why the version is pinned.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.demo_people import DEMO_PEOPLE, DemoPerson
from storage.models import Role
from tests.e2e.processes import ManagedProcess, free_port
from tests.support.cards import card_actions, elements
from tests.support.node_tools import NODE_MODULES

TENANT_ID = "00000000-0000-0000-0000-0000000000001"
BOT = {"id": "00000000-0000-0000-0000-00000000000011", "name": "Classroom"}
LOOPBACK_SHIM = Path(__file__).with_name("loopback_only.cjs")
CARD = "application/vnd.microsoft.card.adaptive"
REPLY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Chats:
    """Teams-style conversation ids of one Playground configuration."""

    personal: str
    group: str
    team: str  # the team's General channel has the team's id
    channel: str  # one more channel: "Coordinators"


def _user(person: DemoPerson) -> dict[str, str]:
    given, _, surname = person.name.partition(" ")
    return {
        "id": person.playground_user_id,
        "name": person.name,
        "userPrincipleName": person.email,  # sic: the Playground's schema spells it so
        "aadObjectId": person.aad_object_id,
        "givenName": given,
        "surname": surname,
        "email": person.email,
    }


# Coordinators who exist only for the end-to-end tests: a group chat whose members are all coordinators (the only
# kind that may become the coordinators' chat) needs five of them, and the demo has two. The demo bot of the
# e2e suite makes them coordinators at start (ADMIN_AAD_OBJECT_IDS).
E2E_COORDINATORS = tuple(
    DemoPerson(
        f"Coordinator {n}",
        f"00000000-0000-0000-0000-0000000e2e0{n}",
        f"coordinator{n}@example.com",
        (Role.COORDINATOR, Role.ADMIN),
        f"user-id-e2e-{n}",
    )
    for n in range(1, 5)
)


def playground_config(current_user: str, chats: Chats, members: tuple[DemoPerson, ...] | None = None) -> dict[str, Any]:
    """A Playground configuration whose users are our demo people (so the demo's roles apply), talking as
    ``current_user``; the other five demo people (or ``members``) are the members of the group chat and the team."""
    people = {person.name: person for person in (*DEMO_PEOPLE, *E2E_COORDINATORS)}
    others = [_user(person) for person in members or DEMO_PEOPLE if person.name != current_user]
    assert len(others) == 5, "the Playground needs exactly five users besides the current one"
    return {
        "version": "0.1.1",
        "tenantId": TENANT_ID,
        "bot": BOT,
        "currentUser": _user(people[current_user]),
        "users": others,
        "personalChat": {"id": chats.personal},
        "groupChat": {"id": chats.group, "name": "Course team chat"},
        "team": {
            "id": chats.team,
            "name": "Training team",
            "aadGroupId": "bbbbbbbb-0000-0000-0000-000000000001",
            "channels": [{"id": chats.channel, "name": "Coordinators"}],
        },
    }


@dataclass(frozen=True)
class RunningDemo:
    """``classroom-bot demo`` on a free loopback port, and where the Playground reaches it."""

    process: ManagedProcess
    endpoint: str  # http://127.0.0.1:PORT/api/messages


@dataclass
class RunningPlayground:
    process: ManagedProcess
    base_url: str
    config: dict[str, Any]
    chats: Chats

    @property
    def current_user_id(self) -> str:
        return str(self.config["currentUser"]["id"])


def start_playground(
    workdir: Path,
    current_user: str,
    chats: Chats,
    bot_endpoint: str,
    members: tuple[DemoPerson, ...] | None = None,
) -> RunningPlayground:
    """Start the pinned Playground on a free loopback port with our configuration, talking to the bot at
    ``bot_endpoint``; its logs stay in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = playground_config(current_user, chats, members)
    config_path = workdir / "playground.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        {
            "TEAMSAPPTESTER_BROWSER": "none",  # never open a browser window
            "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config_path),
            # It would listen on every interface; this preload keeps it on 127.0.0.1.
            "NODE_OPTIONS": f"{env.get('NODE_OPTIONS', '')} --require {LOOPBACK_SHIM}".strip(),
        }
    )
    argv = [
        str(NODE_MODULES / ".bin" / "agentsplayground"),
        "--disable-telemetry",
        "-p",
        str(port),
        "-e",
        bot_endpoint,
        "--service-url",
        f"{base_url}/_connector",
    ]
    process = ManagedProcess(f"Agents Playground ({current_user})", argv, cwd=workdir, env=env)
    try:
        listening = process.wait_for_line(r"Listening on (\d+)", timeout=60)
        if int(listening.group(1)) != port:
            raise AssertionError(f"the Playground took port {listening.group(1)}, not {port} (it was taken)")
    except BaseException:
        process.stop(first_signal=signal.SIGTERM)
        log = workdir / "devTools" / "m365agentsplayground.log"
        if log.exists():
            print(log.read_text(encoding="utf-8", errors="replace")[-4000:])
        raise
    return RunningPlayground(process, base_url, config, chats)


def mention_text(text: str) -> str:
    return f"<at>{BOT['name']}</at> {text}"


class PlaygroundClient:
    """Talks to the bot through the Playground as its current user, and hears what the bot sends back.

    The WebSocket is opened before anything is sent, and every bot message is queued by conversation, so a
    test waits for the reply it expects instead of sleeping.
    """

    def __init__(self, playground: RunningPlayground, session: aiohttp.ClientSession) -> None:
        self.playground = playground
        self.base_url = playground.base_url
        self.session = session
        self._queues: defaultdict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._listener: asyncio.Task[None] | None = None

    async def __aenter__(self) -> PlaygroundClient:
        url = self.base_url.replace("http://", "ws://") + "/_ws_conversation/v1/conversations/stream"
        self._socket = await self.session.ws_connect(url, heartbeat=30)
        self._listener = asyncio.create_task(self._listen())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._listener:
            self._listener.cancel()
        if self._socket:
            await self._socket.close()

    async def _listen(self) -> None:
        assert self._socket is not None
        async for frame in self._socket:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            event = frame.json()
            if event.get("action") in ("createMessage", "updateMessage"):
                self._queues[event["actionConversationId"]].put_nowait(event)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.session.post(self.base_url + path, json=body) as response:
            text = await response.text()
            assert response.status == 200, f"POST {path} -> {response.status}: {text}"
            return await response.json(content_type=None) if text else {}

    async def install(self, conversation_id: str) -> None:
        """What Teams does when the app is added there (installationUpdate, then conversationUpdate)."""
        await self._post(f"/_debug/conversation/{conversation_id}/installation", {})

    async def say(
        self, conversation_id: str, text: str, *, mention: bool = False, people: tuple[DemoPerson, ...] = ()
    ) -> dict[str, Any]:
        """Send a message as the current user; ``mention`` puts ``@Classroom`` in front, as Teams does; ``people``
        are mentioned too (their ``<at>Name</at>`` must be in ``text``), by their Playground user id only."""
        body: dict[str, Any] = {
            "text": mention_text(text) if mention else text,
            "textFormat": "plain",
            "from": {"id": self.playground.current_user_id},
        }
        mentions = [{"mentioned": dict(BOT), "text": f"<at>{BOT['name']}</at>"}] if mention else []
        mentions += [
            {"mentioned": {"id": p.playground_user_id, "name": p.name}, "text": f"<at>{p.name}</at>"} for p in people
        ]
        if mentions:
            body["mentions"] = mentions
        return await self._post(f"/_conversation/v1/conversations/{conversation_id}/messages", body)

    async def press(
        self, conversation_id: str, message: dict[str, Any], title: str, inputs: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Click the button ``title`` on the card in ``message`` (a bot message we received), with the card's
        ``inputs``: an ``Action.Submit`` reaches the bot as a message; an ``Action.Execute`` as an invoke, whose
        answer (returned, ``{type, value}``) the Playground puts in place of the card."""
        action = button(message, title)
        data = {**action.get("data", {}), **(inputs or {})}
        where = {
            "conversation": {"id": conversation_id},
            "from": {"id": self.playground.current_user_id},
            "replyToId": message["message"]["messageId"],
        }
        if action["type"] == "Action.Execute":  # the Playground's invoke API (see the reference README)
            pressed = {"type": "Action.Execute", "title": title, "verb": action["verb"], "data": data}
            return await self._post(
                "/_conversation/v1/invoke", {**where, "name": "adaptiveCard/action", "value": {"action": pressed}}
            )
        assert action["type"] == "Action.Submit", action
        return await self._post("/_conversation/v1/submit", {**where, "value": data})

    async def execute(
        self, conversation_id: str, message: dict[str, Any], title: str, inputs: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """:meth:`press` for a button that must be an ``Action.Execute`` (answered in place of the card)."""
        assert button(message, title)["type"] == "Action.Execute", button(message, title)
        return await self.press(conversation_id, message, title, inputs)

    async def reply(self, conversation_id: str, within: float = REPLY_TIMEOUT) -> dict[str, Any]:
        """The next message the bot sends to ``conversation_id`` (failing after ``within`` seconds)."""
        try:
            return await asyncio.wait_for(self._queues[conversation_id].get(), within)
        except TimeoutError:
            heard = {cid: q.qsize() for cid, q in self._queues.items() if q.qsize()}
            raise AssertionError(
                f"no message from the bot in {conversation_id} within {within:.0f} s "
                f"(queued elsewhere: {heard or 'nothing'}); bot output:\n{self.playground.process.output()}"
            ) from None

    async def replies_until(
        self, conversation_id: str, last: Callable[[dict[str, Any]], bool], *, at_most: int = 6
    ) -> list[dict[str, Any]]:
        """Messages the bot sends to ``conversation_id`` up to and including the first for which ``last`` is true
        (turns of one conversation are answered in order, so this is how a test waits out a reply of several
        messages)."""
        received: list[dict[str, Any]] = []
        while len(received) < at_most:
            received.append(await self.reply(conversation_id))
            if last(received[-1]):
                return received
        raise AssertionError(f"none of {at_most} messages was the one expected: {[said(m)[:80] for m in received]}")


async def until_enrolled(client: PlaygroundClient, conversation_id: str, *, at_most: int = 4) -> dict[str, Any]:
    """The "You're enrolled" card, once the evaluation's "before" survey (which the outbox sends beside it, in
    either order) has come too: what follows in the chat is then what the test looks for."""
    confirmation, survey, received = None, False, 0
    while confirmation is None or not survey:
        received += 1
        assert received <= at_most, "no confirmation and survey among the messages expected"
        message = await client.reply(conversation_id)
        if said(message).startswith("You're enrolled"):
            confirmation = message
        survey = survey or said(message).startswith("Before ")
    return confirmation


# --- reading what the bot sent ----------------------------------------------------------------------------


def card(event: dict[str, Any]) -> dict[str, Any]:
    attachments = event["message"].get("attachments") or []
    assert len(attachments) == 1 and attachments[0]["contentType"] == CARD, (
        f"expected one Adaptive Card, got text {event['message'].get('text')!r} / {attachments!r}"
    )
    return dict(attachments[0]["content"])


def card_text(event: dict[str, Any]) -> str:
    """The card's plain-text fallback: everything it says, top to bottom."""
    return str(card(event)["fallbackText"])


def text(event: dict[str, Any]) -> str:
    assert not event["message"].get("attachments"), f"expected text, got a card: {card_text(event)[:200]!r}"
    return str(event["message"].get("text") or "")


def said(event: dict[str, Any]) -> str:
    """What a message says, card or text."""
    return card_text(event) if event["message"].get("attachments") else text(event)


actions = card_actions  # every action of a card, as the tests here call it


def button(event: dict[str, Any], title: str) -> dict[str, Any]:
    matching = [action for action in actions(card(event)) if action.get("title") == title]
    assert matching, f"no button {title!r} on the card; it has {[a.get('title') for a in actions(card(event))]}"
    return matching[0]


def facts(content: dict[str, Any]) -> list[tuple[str, str]]:
    fact_sets = elements(content, lambda node: node.get("type") == "FactSet")
    return [(fact["title"], fact["value"]) for fact_set in fact_sets for fact in fact_set["facts"]]


SESSION_LINE = re.compile(r"Session (\d): (\w+day \d+ \w+ \d{4}), 10:00–15:00 (GMT|BST)")


@contextmanager
def playground_as(
    workdirs: Any,
    current_user: str,
    label: str,
    bot_endpoint: str,
    members: tuple[DemoPerson, ...] | None = None,
) -> Iterator[RunningPlayground]:
    """A Playground chatting as ``current_user`` in chats of its own (ids made from ``label``) with the bot at
    ``bot_endpoint``, stopped after; ``members``: the five other users (default: the other demo people).

    ``workdirs`` is pytest's ``tmp_path_factory``.
    """
    chats = Chats(
        personal=f"a:e2e-{label}",
        group=f"19:e2e-{label}-group@thread.v2",
        team=f"19:e2e-{label}-team@thread.tacv2",
        channel=f"19:e2e-{label}-coordinators@thread.tacv2",
    )
    running = start_playground(workdirs.mktemp(f"playground-{label}"), current_user, chats, bot_endpoint, members)
    try:
        yield running
    finally:
        running.process.stop(signal.SIGTERM)
