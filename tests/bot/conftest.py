"""HTTP-level fixtures: the real aiohttp app on loopback, and a local connector that records replies."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import RUNTIME, create_app
from bot.settings import Settings
from tests.support.members import paged_members
from tests.support.teams_meetings import FakeMeetings

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "teams-activities"


class RecordingConnector:
    """A local stand-in for the Bot Connector service: stores what the bot sends, answers like Teams (member lists
    in Microsoft's documented shape, from ``members``)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.members: dict[str, list[dict[str, Any]]] = {}  # conversation or team id -> tests.support.members
        self.meetings = FakeMeetings()  # Teams' meeting participant API (roles in meetings)
        self.server: TestServer | None = None
        self._next = 0

    async def _paged_members(self, request: web.Request) -> web.Response:
        members = self.members.get(request.match_info["conversation"])
        if members is None:
            return web.json_response({"error": {"code": "ConversationNotFound", "message": "not found"}}, status=404)
        page = paged_members(members, request.query.get("pageSize"), request.query.get("continuationToken"))
        return web.json_response(page)

    async def _member(self, request: web.Request) -> web.Response:
        """``GET /v3/conversations/{id}/members/{userId}``: one member by channel user id (``aadObjectId`` here)."""
        for member in self.members.get(request.match_info["conversation"], []):
            if member.get("id") == request.match_info["member"]:
                found = {k: v for k, v in member.items() if k != "objectId"}
                return web.json_response({**found, "aadObjectId": member.get("objectId")})
        error = {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}}
        return web.json_response(error, status=404)

    async def _activities(self, request: web.Request) -> web.Response:
        self._next += 1
        self.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "headers": dict(request.headers),
                "body": await request.json(),
            }
        )
        return web.json_response({"id": f"reply-{self._next}"}, status=201 if request.method == "POST" else 200)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/v3/conversations/{conversation}/activities", self._activities)
        app.router.add_route("*", "/v3/conversations/{conversation}/activities/{activity}", self._activities)
        app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._paged_members)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self.meetings.install(app)
        return app

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests]


@pytest.fixture
async def connector() -> AsyncIterator[RecordingConnector]:
    recorder = RecordingConnector()
    recorder.server = TestServer(recorder.app(), host="127.0.0.1")
    await recorder.server.start_server()
    yield recorder
    await recorder.server.close()


@pytest.fixture
def activity(connector: RecordingConnector) -> Callable[..., dict[str, Any]]:
    """A captured Teams activity, re-pointed at the local connector, with a fresh id as Teams gives each one
    (an activity posted again with the same id is a redelivery, which the bot ignores)."""

    def load(name: str, **changes: Any) -> dict[str, Any]:
        body = copy.deepcopy(json.loads((REFERENCE / f"{name}.json").read_text()))
        body["serviceUrl"] = connector.url
        body["id"] = str(uuid.uuid4())
        body.update(changes)
        return body

    return load


@pytest.fixture
def app_factory(db_url: str, clock) -> Callable[..., TestClient]:  # type: ignore[no-untyped-def]
    def build(**settings: Any) -> TestClient:
        return TestClient(
            TestServer(create_app(Settings(database_url=db_url, **settings), clock=clock), host="127.0.0.1")
        )

    return build


@pytest.fixture
def app_factory_with(db_url: str, clock) -> Callable[..., TestClient]:  # type: ignore[no-untyped-def]
    """The app with ``create_app``'s own keyword arguments (``features=...``)."""

    def build(**options: Any) -> TestClient:
        return TestClient(
            TestServer(create_app(Settings(database_url=db_url), clock=clock, **options), host="127.0.0.1")
        )

    return build


@pytest.fixture
async def client(app_factory) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    async with app_factory() as test_client:
        yield test_client


@pytest.fixture
async def quiet_client(client: TestClient) -> TestClient:
    """The app with its outbox dispatcher and periodic jobs stopped, so only turns use the database."""
    await client.server.app[RUNTIME].delivery.stop()
    return client
