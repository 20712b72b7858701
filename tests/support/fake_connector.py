"""A local fake Bot Connector (the ``serviceUrl`` a bot replies to), on 127.0.0.1, for HTTP-level tests.

It answers like the Microsoft 365 Agents Playground's mock connector (see
``tests/fixtures/teams-activities/connector-*.json``): 201 ``{id}`` for sends and replies, 200 ``{id}``
for updates, 202 with no body for typing, 201 ``{id[, activityId]}`` for new conversations, member lists
with ``objectId``, a single member with ``aadObjectId``, ``{error: {code, message}}`` bodies for errors.
It records every request (method, path, query, headers, parsed body) and can be told to fail.

Usage::

    async with FakeConnector() as connector:
        activity.service_url = connector.service_url
        ...                                          # run the bot
        [reply] = connector.activities              # what the bot sent
        assert reply["text"] == "Hello"
        assert connector.requests[0].headers["Authorization"].startswith("Bearer ")

        connector.fail_next(429, retry_after=3)     # the next request gets 429 + Retry-After: 3
        connector.fail_next(403, count=2, path_contains="/conversations/a:gone")
        await connector.wait_for_requests(5)         # for background senders (outbox): no sleeping
        gate = connector.hold()                      # requests wait until gate.set() (timeout tests)

Members: ``connector.members[conversation_id] = [{"id": "29:u1", "objectId": "…", "name": "…"}, …]``
(``tests/support/members.teams_member`` makes one); ``pagedmembers`` answers in pages (``pageSize``,
``continuationToken``) as Microsoft documents it; a conversation not in ``members`` answers 404
``ConversationNotFound`` to member look-ups, an unknown member of a known one 404 ``MemberNotFoundInConversation``
(as the Playground does). Unlike the Playground (501), DELETE of
an activity succeeds, as it does in Teams.
Authentication: ``connector.authorize = idp.issued`` makes requests without a token the identity provider
issued answer 401, as the real connector does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.members import paged_members

DEFAULT_PREFIX = "/_connector"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake connector received."""

    method: str
    path: str  # decoded, relative to the service URL, e.g. "/v3/conversations/a:1/activities/42"
    raw_path: str  # as sent (percent-encoded)
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON, or None
    peer: tuple[str, int] | None = None  # the client's address and port: one port = one kept-alive connection
    received_at: float = field(default_factory=time.monotonic)

    @property
    def conversation_id(self) -> str | None:
        parts = self.path.split("/")
        return parts[3] if len(parts) > 3 and parts[2] == "conversations" else None


@dataclass
class _Failure:
    status: int
    remaining: int
    body: Any
    retry_after: str | None
    method: str | None
    path_contains: str | None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_contains is None or self.path_contains in path
        )


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


class FakeConnector:
    """A Bot Connector on loopback that records requests and answers like the Playground's mock.

    Args:
        prefix: the path the service URL ends with (the Playground uses ``/_connector``).
        record: keep every request (turn off for load tests; ``request_count`` still counts).
    """

    def __init__(self, *, prefix: str = DEFAULT_PREFIX, record: bool = True) -> None:
        self.prefix = prefix.rstrip("/")
        self.record = record
        self.requests: list[RecordedRequest] = []
        self.request_count = 0
        self.members: dict[str, list[dict[str, Any]]] = {}
        self.teams: dict[str, dict[str, Any]] = {}
        self.meeting_participants: dict[tuple[str, str], dict[str, Any]] = {}
        self.authorize: Callable[[str | None], bool] | None = None
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._gate: asyncio.Event | None = None
        self._arrived = asyncio.Condition()
        self._server: TestServer | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> FakeConnector:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("*", self.prefix + "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1", port=port)
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._gate is not None:
            self._gate.set()
        if self._server is not None:
            await self._server.close()

    async def __aenter__(self) -> FakeConnector:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def service_url(self) -> str:
        assert self._server is not None, "start the connector first"
        return str(self._server.make_url(self.prefix))

    # -- scripting -----------------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        count: int = 1,
        body: Any = None,
        retry_after: float | str | None = None,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` (and ``Retry-After`` if given)."""
        if body is None:
            body = {"error": {"code": f"Scripted{status}", "message": f"scripted {status} answer"}}
        self._failures.append(
            _Failure(status, count, body, None if retry_after is None else str(retry_after), method, path_contains)
        )

    def hold(self) -> asyncio.Event:
        """Make requests wait (after being recorded) until the returned event is set."""
        self._gate = asyncio.Event()
        return self._gate

    async def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:  # noqa: ASYNC109
        """Wait until at least ``count`` requests have arrived; returns the recorded requests."""
        async with asyncio.timeout(timeout):
            async with self._arrived:
                await self._arrived.wait_for(lambda: self.request_count >= count)
        return self.requests

    # -- what the bot sent ---------------------------------------------------------------------------------

    @property
    def activities(self) -> list[dict[str, Any]]:
        """Bodies of every activity sent, replied or updated, in order."""
        return [
            r.body
            for r in self.requests
            if r.method in ("POST", "PUT")
            and "/activities" in r.path
            and isinstance(r.body, dict)
            and not r.path.endswith("/history")
        ]

    def sent_to(self, conversation_id: str) -> list[dict[str, Any]]:
        return [
            r.body
            for r in self.requests
            if r.conversation_id == conversation_id and r.method in ("POST", "PUT") and "/activities" in r.path
        ]

    def clear(self) -> None:
        self.requests.clear()

    # -- the API -------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        raw_path = request.raw_path.split("?", 1)[0][len(self.prefix) :]
        path = unquote(raw_path)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        recorded = RecordedRequest(
            request.method,
            path,
            raw_path,
            dict(request.query),
            dict(request.headers),
            body,
            tuple(peer[:2]) if peer else None,
        )
        self.request_count += 1
        if self.record:
            self.requests.append(recorded)
        async with self._arrived:
            self._arrived.notify_all()
        if self._gate is not None:
            await self._gate.wait()
        if self.authorize is not None and not self.authorize(request.headers.get("Authorization")):
            return _error(401, "Unauthorized", "missing or invalid bearer token")
        for failure in self._failures:
            if failure.remaining > 0 and failure.matches(request.method, path):
                failure.remaining -= 1
                headers = {"Retry-After": failure.retry_after} if failure.retry_after is not None else None
                self._failures = [f for f in self._failures if f.remaining > 0]
                return web.json_response(failure.body, status=failure.status, headers=headers)
        return self._answer(
            request.method, [unquote(p) for p in raw_path.strip("/").split("/")], body, dict(request.query)
        )

    def _new_id(self) -> str:
        return str(int(time.time() * 1000) * 1000 + next(self._ids))

    def _answer(self, method: str, parts: list[str], body: Any, query: dict[str, str]) -> web.Response:
        """Ask each part of the API in turn; a request none of them knows is a 404, as in the Playground."""
        members = self._members(method, parts, body, query)
        if members is not None:
            return members
        for part in (self._conversations, self._activities, self._teams, self._meetings):
            answer = part(method, parts, body)
            if answer is not None:
                return answer
        return _error(404, "NotFound", f"{method} {'/'.join(parts)} is not part of the fake connector")

    def _conversations(self, method: str, parts: list[str], body: Any) -> web.Response | None:
        match parts:
            case ["v3", "conversations"] if method == "POST":
                return self._create_conversation(body)
            case ["v3", "conversations"] if method == "GET":
                return web.json_response({"conversations": [{"id": c} for c in self.members]})
        return None

    def _activities(self, method: str, parts: list[str], body: Any) -> web.Response | None:
        """Sends, replies, updates and deletes; ``activities/history`` must match before a reply to an id."""
        match parts:
            case ["v3", "conversations", _conversation, "activities"] if method == "POST":
                return self._send(body)
            case ["v3", "conversations", _conversation, "activities", "history"] if method == "POST":
                return web.json_response({"id": self._new_id()}, status=201)
            case ["v3", "conversations", _conversation, "activities", _activity_id] if method == "POST":
                return self._send(body)
            case ["v3", "conversations", _conversation, "activities", activity_id] if method == "PUT":
                if not isinstance(body, dict) or not body.get("type"):
                    return _error(400, "BadArgument", "Activity must have a type")
                return web.json_response({"id": activity_id}, status=200)
            case ["v3", "conversations", _conversation, "activities", _activity_id] if method == "DELETE":
                return web.Response(status=200)
        return None

    def _members(self, method: str, parts: list[str], _body: Any, query: dict[str, str]) -> web.Response | None:
        match parts:
            case ["v3", "conversations", conversation, "members"] if method == "GET":
                return self._member_list(conversation, lambda members: members)
            case ["v3", "conversations", conversation, "activities", _activity_id, "members"] if method == "GET":
                return self._member_list(conversation, lambda members: members)
            case ["v3", "conversations", conversation, "pagedmembers"] if method == "GET":
                page_size, token = query.get("pageSize"), query.get("continuationToken")
                return self._member_list(conversation, lambda members: paged_members(members, page_size, token))
            case ["v3", "conversations", conversation, "members", member_id] if method == "GET":
                return self._member(conversation, member_id)
            case ["v3", "conversations", conversation, "members", member_id] if method == "DELETE":
                return web.Response(status=204)
        return None

    def _teams(self, method: str, parts: list[str], _body: Any) -> web.Response | None:
        match parts:
            case ["v3", "teams", team_id] if method == "GET":
                team = self.teams.get(team_id)
                return web.json_response(team) if team else _error(404, "TeamNotFound", "unknown team")
            case ["v3", "teams", team_id, "conversations"] if method == "GET":
                team = self.teams.get(team_id)
                channels = (team or {}).get("channels", [{"id": team_id}])
                return web.json_response({"conversations": channels})
        return None

    def _meetings(self, method: str, parts: list[str], _body: Any) -> web.Response | None:
        match parts:
            case ["v1", "meetings", meeting_id, "participants", participant_id] if method == "GET":
                participant = self.meeting_participants.get((meeting_id, participant_id))
                if participant is None:
                    return _error(404, "NotFound", "unknown participant")
                return web.json_response(participant)
        return None

    def _send(self, body: Any) -> web.Response:
        if not isinstance(body, dict) or not body.get("type"):
            return _error(400, "BadArgument", "Activity must have a type")
        if body["type"] == "typing":
            return web.Response(status=202)
        return web.json_response({"id": self._new_id()}, status=201)

    def _create_conversation(self, body: Any) -> web.Response:
        if not isinstance(body, dict):
            return _error(400, "BadArgument", "missing conversation parameters")
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if body.get("isGroup") and channel:
            activity_id = self._new_id()
            return web.json_response(
                {"id": f"{channel};messageid={activity_id}", "activityId": activity_id}, status=201
            )
        return web.json_response({"id": f"a:{self._new_id()}"}, status=201)

    def _member_list(self, conversation: str, shape: Callable[[list[dict[str, Any]]], Any]) -> web.Response:
        if conversation not in self.members:
            return _error(404, "ConversationNotFound", "Conversation not found")
        return web.json_response(shape(self.members[conversation]))

    def _member(self, conversation: str, member_id: str) -> web.Response:
        if conversation not in self.members:
            return _error(404, "ConversationNotFound", "Conversation not found")
        for member in self.members[conversation]:
            if member.get("id") == member_id:
                single = {k: v for k, v in member.items() if k != "objectId"}
                if "objectId" in member:
                    single["aadObjectId"] = member["objectId"]
                return web.json_response(single)
        return _error(404, "MemberNotFoundInConversation", "The member is not in the conversation")
