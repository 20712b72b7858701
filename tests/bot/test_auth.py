"""Inbound authentication, offline: a fake identity provider on loopback mints the tokens Teams would send.

Every missing or invalid token is answered 401 — never 500, which would make Teams redeliver — and nothing
runs: no reply, no database row. Tokens signed with a key the bot has not seen make it refresh the key set
once (rate-limited) before rejecting.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.schema import Activity
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapter import EdgeAdapter, build_adapter, process_request
from bot.app import create_app
from bot.settings import Settings
from storage.models import Base, BotStateRecord, ConversationRecord
from tests.support.fake_connector import FakeConnector
from tests.support.fake_identity_provider import FakeIdentityProvider, SigningKeyPair

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "teams-activities"
APP_ID = "00000000-0000-0000-0000-00000000000011"
SECRET = "bot-secret"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class EchoBot(ActivityHandler):
    def __init__(self) -> None:
        self.turns = 0

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        self.turns += 1
        await turn_context.send_activity(f"echo: {turn_context.activity.text}")


@pytest.fixture
async def idp() -> AsyncIterator[FakeIdentityProvider]:
    async with FakeIdentityProvider() as provider:
        yield provider


@pytest.fixture
async def teams(idp: FakeIdentityProvider) -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as connector:
        connector.authorize = idp.issued
        yield connector


def _activity_json(name: str, service_url: str) -> dict[str, Any]:
    body = copy.deepcopy(json.loads((REFERENCE / f"{name}.json").read_text()))
    body["serviceUrl"] = service_url
    body["id"] = str(uuid.uuid4())
    return body


def _activity(name: str, service_url: str) -> Activity:
    return Activity().deserialize(_activity_json(name, service_url))


def _settings(idp: FakeIdentityProvider, **overrides: Any) -> Settings:
    values = {
        "database_url": "sqlite+aiosqlite:///:memory:",
        **idp.bot_settings(app_id=APP_ID, password=SECRET),
        **overrides,
    }
    return Settings(**values)


# -- the bad tokens -------------------------------------------------------------------------------------------

ROGUE_KEY = SigningKeyPair.generate("rogue-key")
WEBCHAT_ONLY_KEY = SigningKeyPair.generate("webchat-only", endorsements=["webchat"])

BadToken = Callable[[FakeIdentityProvider, str], str]
BAD_TOKENS: dict[str, BadToken] = {
    "missing": lambda idp, url: "",
    "expired": lambda idp, url: (
        "Bearer " + idp.channel_token(app_id=APP_ID, service_url=url, lifetime=-600, not_before_in=-3600)
    ),
    "not yet valid": lambda idp, url: "Bearer " + idp.channel_token(app_id=APP_ID, service_url=url, not_before_in=900),
    "wrong audience": lambda idp, url: (
        "Bearer " + idp.channel_token(app_id=APP_ID, service_url=url, audience="another-bot")
    ),
    "wrong issuer": lambda idp, url: (
        "Bearer " + idp.channel_token(app_id=APP_ID, service_url=url, issuer="https://evil.example")
    ),
    "bad signature": lambda idp, url: (
        "Bearer " + idp.with_bad_signature(idp.channel_token(app_id=APP_ID, service_url=url))
    ),
    "unknown key": lambda idp, url: "Bearer " + idp.channel_token(app_id=APP_ID, service_url=url, key=ROGUE_KEY),
    "service url mismatch": lambda idp, url: (
        "Bearer " + idp.channel_token(app_id=APP_ID, service_url="https://attacker.example/")
    ),
    "unsigned": lambda idp, url: (
        "Bearer "
        + idp.unsigned_token(
            {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": url, "exp": 9999999999}
        )
    ),
    "not a jwt": lambda idp, url: "Bearer not-a-jwt",
    "wrong scheme": lambda idp, url: "Basic " + idp.channel_token(app_id=APP_ID, service_url=url),
    "key not endorsed for msteams": lambda idp, url: (
        "Bearer " + idp.channel_token(app_id=APP_ID, service_url=url, key=WEBCHAT_ONLY_KEY)
    ),
}


@pytest.fixture
def publish_webchat_only_key(idp: FakeIdentityProvider) -> None:
    idp.publish(WEBCHAT_ONLY_KEY)


# -- through the adapter ------------------------------------------------------------------------------------------


async def test_a_valid_channel_token_is_accepted_and_the_reply_is_signed(
    idp: FakeIdentityProvider, teams: FakeConnector
) -> None:
    adapter = build_adapter(_settings(idp))
    bot = EchoBot()
    token = idp.channel_token(app_id=APP_ID, service_url=teams.service_url)
    try:
        response = await process_request(
            adapter, _activity("personal-message", teams.service_url), f"Bearer {token}", bot
        )
    finally:
        await adapter.close()
    assert response.status == 201 and bot.turns == 1
    [reply] = teams.requests
    assert reply.body["text"] == "echo: hello bot"
    assert idp.issued(reply.headers["Authorization"])


@pytest.mark.usefixtures("publish_webchat_only_key")
@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_every_invalid_token_is_401_and_runs_nothing(
    idp: FakeIdentityProvider, teams: FakeConnector, case: str
) -> None:
    adapter = build_adapter(_settings(idp))
    bot = EchoBot()
    try:
        response = await process_request(
            adapter, _activity("personal-message", teams.service_url), BAD_TOKENS[case](idp, teams.service_url), bot
        )
    finally:
        await adapter.close()
    assert response.status == 401
    assert json.loads(response.body) == {"error": "unauthorized"}
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert bot.turns == 0 and teams.request_count == 0 and idp.token_requests == 0


async def test_100_turns_cost_one_token_request(idp: FakeIdentityProvider, teams: FakeConnector) -> None:
    adapter = build_adapter(_settings(idp))
    bot = EchoBot()
    token = idp.channel_token(app_id=APP_ID, service_url=teams.service_url)
    try:
        responses = await asyncio.gather(
            *(
                process_request(adapter, _activity("personal-message", teams.service_url), f"Bearer {token}", bot)
                for _ in range(100)
            )
        )
    finally:
        await adapter.close()
    assert [r.status for r in responses] == [201] * 100
    assert teams.request_count == 100 and idp.token_requests == 1
    assert idp.jwks_requests == 1 and idp.metadata_requests == 1


async def test_unknown_key_refreshes_the_key_set_once_rate_limited_then_rejects(
    idp: FakeIdentityProvider, teams: FakeConnector
) -> None:
    monotonic = FakeMonotonic()
    adapter = EdgeAdapter(_settings(idp), monotonic=monotonic)
    bot = EchoBot()
    url = teams.service_url
    rogue = SigningKeyPair.generate("rotated-in")

    async def post(key: SigningKeyPair | None = None) -> int:
        token = idp.channel_token(app_id=APP_ID, service_url=url, key=key)
        return (await process_request(adapter, _activity("personal-message", url), f"Bearer {token}", bot)).status

    try:
        assert await post() == 201
        assert idp.jwks_requests == 1

        monotonic.advance(61)
        statuses = await asyncio.gather(*(post(rogue) for _ in range(10)))
        assert statuses == [401] * 10
        assert idp.jwks_requests == 2, "ten unknown-key tokens at once: one refresh"

        idp.publish(rogue)  # the provider rotates the key in
        assert await post(rogue) == 401
        assert idp.jwks_requests == 2, "within the rate limit: no refresh"

        monotonic.advance(61)
        assert await post(rogue) == 201
        assert idp.jwks_requests == 3
    finally:
        await adapter.close()


async def test_signing_keys_that_cannot_be_downloaded_answer_503_not_401(
    idp: FakeIdentityProvider, teams: FakeConnector
) -> None:
    monotonic = FakeMonotonic()
    adapter = EdgeAdapter(_settings(idp), monotonic=monotonic)
    token = idp.channel_token(app_id=APP_ID, service_url=teams.service_url)
    idp.jwks_status = 503
    try:
        first = await process_request(
            adapter, _activity("personal-message", teams.service_url), f"Bearer {token}", EchoBot()
        )
        second = await process_request(
            adapter, _activity("personal-message", teams.service_url), f"Bearer {token}", EchoBot()
        )
        assert (first.status, first.headers["Retry-After"], second.status) == (503, "5", 503)
        assert idp.jwks_requests == 1, "a failed download is not retried for a few seconds"

        idp.jwks_status = 200
        monotonic.advance(6)
        third = await process_request(
            adapter, _activity("personal-message", teams.service_url), f"Bearer {token}", EchoBot()
        )
        assert third.status == 201
    finally:
        await adapter.close()


async def test_stale_keys_are_kept_when_the_daily_refresh_fails(
    idp: FakeIdentityProvider, teams: FakeConnector
) -> None:
    monotonic = FakeMonotonic()
    adapter = EdgeAdapter(_settings(idp), monotonic=monotonic)
    url = teams.service_url
    try:
        token = idp.channel_token(app_id=APP_ID, service_url=url)
        assert (
            await process_request(adapter, _activity("personal-message", url), f"Bearer {token}", EchoBot())
        ).status == 201
        monotonic.advance(24 * 3600 + 1)
        idp.jwks_status = 500
        another = idp.channel_token(app_id=APP_ID, service_url=url, lifetime=3000)  # not a remembered token
        assert (
            await process_request(adapter, _activity("personal-message", url), f"Bearer {another}", EchoBot())
        ).status == 201
        assert idp.jwks_requests == 2
    finally:
        await adapter.close()


@pytest.mark.parametrize(
    ("app_type", "tenant"), [("MultiTenant", ""), ("SingleTenant", "tenant-1"), ("UserAssignedMSI", "tenant-1")]
)
async def test_each_app_type_accepts_channel_tokens_and_signs_replies(
    idp: FakeIdentityProvider, teams: FakeConnector, monkeypatch: pytest.MonkeyPatch, app_type: str, tenant: str
) -> None:
    monkeypatch.setenv("IDENTITY_ENDPOINT", idp.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", idp.identity_header)
    password = "" if app_type == "UserAssignedMSI" else SECRET
    settings = Settings(
        database_url="sqlite+aiosqlite:///:memory:",
        **idp.bot_settings(app_id=APP_ID, password=password, app_type=app_type, tenant_id=tenant),
    )
    adapter = build_adapter(settings)
    token = idp.channel_token(app_id=APP_ID, service_url=teams.service_url)
    try:
        ok = await process_request(
            adapter, _activity("personal-message", teams.service_url), f"Bearer {token}", EchoBot()
        )
        wrong = await process_request(
            adapter,
            _activity("personal-message", teams.service_url),
            BAD_TOKENS["wrong audience"](idp, teams.service_url),
            EchoBot(),
        )
    finally:
        await adapter.close()
    assert (ok.status, wrong.status) == (201, 401)
    assert idp.issued(teams.requests[0].headers["Authorization"])
    [token_request] = idp.token_requests_log
    expected = (
        ("managed_identity", None)
        if app_type == "UserAssignedMSI"
        else ("client_credentials", tenant or "botframework.com")
    )
    assert (token_request.kind, token_request.tenant) == expected


async def test_public_cloud_rejects_bad_requests_without_touching_the_network(teams: FakeConnector) -> None:
    # No alternate endpoints: botbuilder's built-in public-cloud validation. These are all rejected before any
    # signing key is needed, so the test stays offline (the adapter never even opens its client session).
    adapter = build_adapter(
        Settings(database_url="sqlite+aiosqlite:///:memory:", microsoft_app_id=APP_ID, microsoft_app_password=SECRET)
    )
    url = teams.service_url
    async with FakeIdentityProvider() as minting_only:
        headers = [
            "",
            "Bearer not-a-jwt",
            "Basic abc",
            "Bearer " + minting_only.channel_token(app_id=APP_ID, service_url=url, issuer="https://evil.example"),
        ]
    try:
        statuses = [
            (await process_request(adapter, _activity("personal-message", url), header, EchoBot())).status
            for header in headers
        ]
    finally:
        await adapter.close()
    assert statuses == [401] * len(headers)
    assert not adapter.sessions.created


async def test_with_no_app_id_auth_is_off_and_the_log_says_so(
    teams: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.adapter"):
        adapter = build_adapter(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    assert "authentication OFF" in caplog.text
    teams.authorize = None
    bot = EchoBot()
    try:
        plain = await process_request(adapter, _activity("personal-message", teams.service_url), "", bot)
        with_header = await process_request(
            adapter, _activity("personal-message", teams.service_url), "Bearer whatever", bot
        )
    finally:
        await adapter.close()
    assert (plain.status, with_header.status, bot.turns) == (201, 201, 2)
    assert all("Authorization" not in r.headers for r in teams.requests)


# -- over HTTP, against the real app and database ---------------------------------------------------------------


async def _row_counts(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Rows in every table of the migrated database (all of them, not only the ones we expect a write to)."""
    async with session_factory() as session:
        connection = await session.connection()
        existing = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        counts = {
            table.name: await session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name in existing
        }
    assert {"conversations", "bot_state", "people"} <= counts.keys()
    return counts


@pytest.fixture
async def secured_app(db_url: str, idp: FakeIdentityProvider, clock) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=db_url, **idp.bot_settings(app_id=APP_ID, password=SECRET))
    async with TestClient(TestServer(create_app(settings, clock=clock), host="127.0.0.1")) as client:
        yield client


@pytest.mark.usefixtures("publish_webchat_only_key")
@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_http_invalid_tokens_get_401_and_write_nothing(
    secured_app: TestClient,
    idp: FakeIdentityProvider,
    teams: FakeConnector,
    session_factory: async_sessionmaker[AsyncSession],
    case: str,
) -> None:
    before = await _row_counts(session_factory)
    for name in ("installation-update-add", "personal-message", "card-action-execute-invoke"):
        header = BAD_TOKENS[case](idp, teams.service_url)
        response = await secured_app.post(
            "/api/messages",
            json=_activity_json(name, teams.service_url),
            headers={"Authorization": header} if header else {},
        )
        assert response.status == 401, f"{case} / {name}"
        assert await response.json() == {"error": "unauthorized"}
    assert await _row_counts(session_factory) == before
    assert teams.request_count == 0


async def test_http_valid_token_is_processed_and_writes(
    secured_app: TestClient,
    idp: FakeIdentityProvider,
    teams: FakeConnector,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    token = idp.channel_token(app_id=APP_ID, service_url=teams.service_url)
    response = await secured_app.post(
        "/api/messages",
        json=_activity_json("installation-update-add", teams.service_url),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status in (200, 201)
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ConversationRecord)) == 1
        assert await session.scalar(select(func.count()).select_from(BotStateRecord)) >= 0
    assert teams.request_count >= 1 and all(idp.issued(r.headers["Authorization"]) for r in teams.requests)


# -- the validated-token cache ----------------------------------------------------------------------------------


class FakeWallClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _authentication(adapter: EdgeAdapter) -> Any:
    return adapter.bot_framework_authentication


async def test_a_repeated_valid_token_is_validated_once_until_it_expires(
    idp: FakeIdentityProvider, teams: FakeConnector
) -> None:
    adapter = build_adapter(_settings(idp))
    wall = FakeWallClock()
    _authentication(adapter)._wall_clock = wall
    url = teams.service_url
    token = idp.channel_token(app_id=APP_ID, service_url=url, lifetime=600, issued_at=wall.now)
    try:
        for _ in range(5):
            assert (
                await process_request(adapter, _activity("personal-message", url), f"Bearer {token}", EchoBot())
            ).status == 201
        assert _authentication(adapter).full_validations == 1

        wall.now += 601  # past exp: validated again (botbuilder still grants its 5-minute leeway)
        assert (
            await process_request(adapter, _activity("personal-message", url), f"Bearer {token}", EchoBot())
        ).status == 201
        assert _authentication(adapter).full_validations == 2
    finally:
        await adapter.close()


async def test_a_remembered_token_does_not_vouch_for_another_service_url(
    idp: FakeIdentityProvider, teams: FakeConnector
) -> None:
    adapter = build_adapter(_settings(idp))
    token = idp.channel_token(app_id=APP_ID, service_url=teams.service_url)
    try:
        ok = await process_request(
            adapter, _activity("personal-message", teams.service_url), f"Bearer {token}", EchoBot()
        )
        elsewhere = await process_request(
            adapter, _activity("personal-message", "https://attacker.example/"), f"Bearer {token}", EchoBot()
        )
    finally:
        await adapter.close()
    assert (ok.status, elsewhere.status) == (201, 401)


async def test_rejected_tokens_are_never_remembered(idp: FakeIdentityProvider, teams: FakeConnector) -> None:
    adapter = build_adapter(_settings(idp))
    header = BAD_TOKENS["wrong audience"](idp, teams.service_url)
    try:
        statuses = [
            (await process_request(adapter, _activity("personal-message", teams.service_url), header, EchoBot())).status
            for _ in range(3)
        ]
    finally:
        await adapter.close()
    assert statuses == [401, 401, 401]
    assert _authentication(adapter).full_validations == 3
