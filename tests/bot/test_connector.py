"""The Bot Connector client: requests on the wire, plain results for every HTTP answer, cached tokens."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationParameters

from bot.connector import (
    BotConnectorClient,
    ConnectorTimeout,
    ConnectorTransportError,
    EdgeCredentialsFactory,
    SessionHolder,
    TokenAcquisitionError,
    parse_retry_after,
)
from bot.connector.credentials import check_authority, resolve_authority
from bot.connector.serialization import to_wire
from tests.support.fake_connector import FakeConnector
from tests.support.fake_identity_provider import FakeIdentityProvider

APP_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "s3cret-value"
PERSONAL = "a:1Bq3-personal"
CHANNEL_THREAD = "19:abc@thread.tacv2;messageid=1700000000000"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def idp() -> AsyncIterator[FakeIdentityProvider]:
    async with FakeIdentityProvider() as provider:
        provider.clients[APP_ID] = SECRET
        yield provider


@pytest.fixture
async def fake_connector(idp: FakeIdentityProvider) -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as connector:
        connector.authorize = idp.issued
        yield connector


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def sessions() -> AsyncIterator[SessionHolder]:
    holder = SessionHolder()
    yield holder
    await holder.close()


@pytest.fixture
def credentials(idp: FakeIdentityProvider, sessions: SessionHolder, monotonic: FakeMonotonic) -> EdgeCredentialsFactory:
    return EdgeCredentialsFactory(
        app_id=APP_ID,
        password=SECRET,
        login_endpoint=idp.login_url(),
        validate_authority=False,
        sessions=sessions,
        clock=monotonic,
    )


@pytest.fixture
def client(sessions: SessionHolder, credentials: EdgeCredentialsFactory) -> BotConnectorClient:
    return BotConnectorClient(sessions, credentials)


def _message(text: str = "Hello", conversation: str = PERSONAL) -> Activity:
    return Activity(
        type="message",
        text=text,
        conversation=ConversationAccount(id=conversation),
        from_property=ChannelAccount(id="28:bot", name="Bot"),
        recipient=ChannelAccount(id="29:user", name="User"),
    )


# -- requests on the wire ----------------------------------------------------------------------------------


async def test_send_to_conversation_posts_the_activity_with_a_bearer_token(
    client: BotConnectorClient, fake_connector: FakeConnector, idp: FakeIdentityProvider
) -> None:
    activity = _message()
    response = await client.send_to_conversation(fake_connector.service_url, PERSONAL, activity)

    assert (response.status, response.ok) == (201, True)
    assert response.id and response.body == {"id": response.id}
    [request] = fake_connector.requests
    assert (request.method, request.path) == ("POST", f"/v3/conversations/{PERSONAL}/activities")
    assert request.body == to_wire(activity)
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["Authorization"] == f"Bearer {idp.issued_tokens[0]}"
    assert request.headers["User-Agent"].startswith("Microsoft-BotFramework/3.1")
    [token_request] = idp.token_requests_log
    assert token_request.tenant == "botframework.com"
    assert token_request.params == {
        "grant_type": "client_credentials",
        "client_id": APP_ID,
        "client_secret": SECRET,
        "scope": "https://api.botframework.com/.default",
    }


async def test_reply_goes_to_the_activity_and_teams_ids_are_percent_encoded(
    client: BotConnectorClient, fake_connector: FakeConnector
) -> None:
    response = await client.reply_to_activity(
        fake_connector.service_url, CHANNEL_THREAD, "1700000000001", _message(conversation=CHANNEL_THREAD)
    )
    assert response.status == 201
    [request] = fake_connector.requests
    assert request.path == f"/v3/conversations/{CHANNEL_THREAD}/activities/1700000000001"
    encoded = "19%3Aabc%40thread.tacv2%3Bmessageid%3D1700000000000"
    assert request.raw_path == f"/v3/conversations/{encoded}/activities/1700000000001"
    assert request.headers["x-ms-conversation-id"] == CHANNEL_THREAD


async def test_update_activity_puts_and_answers_the_same_id(
    client: BotConnectorClient, fake_connector: FakeConnector
) -> None:
    response = await client.update_activity(fake_connector.service_url, PERSONAL, "42", _message("edited"))
    assert (response.status, response.id) == (200, "42")
    assert fake_connector.requests[0].method == "PUT"
    assert fake_connector.activities == [to_wire(_message("edited"))]


async def test_create_conversation_personal_and_channel_post(
    client: BotConnectorClient, fake_connector: FakeConnector
) -> None:
    personal = await client.create_conversation(
        fake_connector.service_url,
        ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id="28:bot"),
            members=[ChannelAccount(id="29:user")],
            tenant_id="t1",
            channel_data={"tenant": {"id": "t1"}},
        ),
    )
    channel = await client.create_conversation(
        fake_connector.service_url,
        {
            "isGroup": True,
            "channelData": {"channel": {"id": "19:general@thread.tacv2"}},
            "activity": {"type": "message", "text": "New post"},
        },
    )

    assert personal.status == 201 and personal.id.startswith("a:")
    assert channel.status == 201 and channel.id.startswith("19:general@thread.tacv2;messageid=")
    assert channel.body["activityId"]
    assert fake_connector.requests[0].body["members"] == [{"id": "29:user"}]


async def test_members_and_a_missing_member_are_results_not_exceptions(
    client: BotConnectorClient, fake_connector: FakeConnector
) -> None:
    fake_connector.members[PERSONAL] = [{"id": "29:u1", "objectId": "aad-1", "name": "U One"}]

    members = await client.get_conversation_members(fake_connector.service_url, PERSONAL)
    member = await client.get_conversation_member(fake_connector.service_url, PERSONAL, "29:u1")
    missing = await client.get_conversation_member(fake_connector.service_url, PERSONAL, "29:nobody")
    paged = await client.get_conversation_paged_members(fake_connector.service_url, PERSONAL, page_size=2)

    assert members.body == [{"id": "29:u1", "objectId": "aad-1", "name": "U One"}]
    assert member.body["aadObjectId"] == "aad-1"
    assert (missing.status, missing.ok, missing.error_code) == (404, False, "MemberNotFoundInConversation")
    assert missing.conversation_unavailable
    assert paged.body["members"][0]["id"] == "29:u1"
    assert fake_connector.requests[-1].query == {"pageSize": "2"}


async def test_meeting_participant_uses_the_documented_endpoint(
    client: BotConnectorClient, fake_connector: FakeConnector
) -> None:
    fake_connector.meeting_participants[("m-1", "aad-1")] = {"meeting": {"role": "Organizer", "inMeeting": True}}
    response = await client.get_meeting_participant(fake_connector.service_url, "m-1", "aad-1", "tenant-1")
    assert response.body["meeting"]["role"] == "Organizer"
    assert fake_connector.requests[0].path == "/v1/meetings/m-1/participants/aad-1"
    assert fake_connector.requests[0].query == {"tenantId": "tenant-1"}


# -- HTTP failures are results ------------------------------------------------------------------------------


async def test_429_comes_back_with_retry_after(client: BotConnectorClient, fake_connector: FakeConnector) -> None:
    fake_connector.fail_next(429, retry_after=3)
    throttled = await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    after = await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())

    assert (throttled.status, throttled.retry_after, throttled.retryable, throttled.ok) == (429, 3.0, True, False)
    assert throttled.error_code == "Scripted429"
    assert after.status == 201 and after.retry_after is None


@pytest.mark.parametrize(
    ("status", "retryable", "unavailable"),
    [
        (412, True, False),
        (502, True, False),
        (503, True, False),
        (504, True, False),
        (403, False, True),
        (404, False, True),
        (400, False, False),
        (500, False, False),
    ],
)
async def test_status_classification(
    client: BotConnectorClient, fake_connector: FakeConnector, status: int, retryable: bool, unavailable: bool
) -> None:
    fake_connector.fail_next(status, path_contains="/activities")
    response = await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert response.status == status
    assert (response.retryable, response.conversation_unavailable) == (retryable, unavailable)


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_no_answer_in_time_raises_connector_timeout(
    sessions: SessionHolder, credentials: EdgeCredentialsFactory, fake_connector: FakeConnector
) -> None:
    impatient = BotConnectorClient(sessions, credentials, timeout=0.3)
    gate = fake_connector.hold()
    try:
        with pytest.raises(ConnectorTimeout) as raised:
            await impatient.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    finally:
        gate.set()
    assert raised.value.method == "POST" and PERSONAL.replace(":", "%3A") in raised.value.url
    assert fake_connector.request_count == 1


async def test_refused_connection_raises_transport_error(client: BotConnectorClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(ConnectorTransportError) as raised:
        await client.send_to_conversation(f"http://127.0.0.1:{closed_port}/", PERSONAL, _message())
    assert not isinstance(raised.value, ConnectorTimeout)


async def test_requests_reuse_one_kept_alive_connection(
    client: BotConnectorClient, fake_connector: FakeConnector
) -> None:
    for i in range(20):
        await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message(f"m{i}"))
    assert len({r.peer for r in fake_connector.requests}) == 1


# -- access tokens --------------------------------------------------------------------------------------------


async def test_100_concurrent_replies_cost_one_token_request(
    client: BotConnectorClient, fake_connector: FakeConnector, idp: FakeIdentityProvider
) -> None:
    responses = await asyncio.gather(
        *(client.reply_to_activity(fake_connector.service_url, PERSONAL, str(i), _message(f"r{i}")) for i in range(100))
    )
    assert [r.status for r in responses] == [201] * 100
    assert idp.token_requests == 1
    assert {r.headers["Authorization"] for r in fake_connector.requests} == {f"Bearer {idp.issued_tokens[0]}"}


async def test_token_is_refreshed_in_the_background_shortly_before_expiry(
    client: BotConnectorClient,
    credentials: EdgeCredentialsFactory,
    fake_connector: FakeConnector,
    idp: FakeIdentityProvider,
    monotonic: FakeMonotonic,
) -> None:
    await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    monotonic.advance(idp.token_lifetime - 200)  # inside the 5-minute refresh window, still valid

    cache = credentials.credentials(APP_ID).token_cache
    assert cache is not None
    await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert fake_connector.requests[-1].headers["Authorization"] == f"Bearer {idp.issued_tokens[0]}"  # no wait
    assert cache.pending_refresh is not None
    await cache.pending_refresh

    await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert idp.token_requests == 2
    assert fake_connector.requests[-1].headers["Authorization"] == f"Bearer {idp.issued_tokens[1]}"


async def test_an_expired_token_is_replaced_before_sending(
    client: BotConnectorClient, fake_connector: FakeConnector, idp: FakeIdentityProvider, monotonic: FakeMonotonic
) -> None:
    await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    monotonic.advance(idp.token_lifetime + 1)
    await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert idp.token_requests == 2
    assert fake_connector.requests[-1].headers["Authorization"] == f"Bearer {idp.issued_tokens[1]}"


async def test_a_rejected_token_is_replaced_and_the_request_sent_once_more(
    client: BotConnectorClient, fake_connector: FakeConnector, idp: FakeIdentityProvider
) -> None:
    await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    fake_connector.fail_next(401)
    response = await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert response.status == 201
    assert idp.token_requests == 2
    assert [r.headers["Authorization"] for r in fake_connector.requests[1:]] == [
        f"Bearer {idp.issued_tokens[0]}",
        f"Bearer {idp.issued_tokens[1]}",
    ]


async def test_token_failures_raise_are_not_cached_and_send_nothing(
    client: BotConnectorClient, fake_connector: FakeConnector, idp: FakeIdentityProvider
) -> None:
    idp.token_failures = [503]
    with pytest.raises(TokenAcquisitionError) as raised:
        await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert (raised.value.status, raised.value.retryable) == (503, True)
    assert fake_connector.request_count == 0

    response = await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert response.status == 201 and idp.token_requests == 2


async def test_a_wrong_secret_is_not_retryable(
    sessions: SessionHolder, idp: FakeIdentityProvider, fake_connector: FakeConnector
) -> None:
    wrong = EdgeCredentialsFactory(
        app_id=APP_ID,
        password="not-the-secret",
        login_endpoint=idp.login_url(),
        validate_authority=False,
        sessions=sessions,
    )
    with pytest.raises(TokenAcquisitionError) as raised:
        await BotConnectorClient(sessions, wrong).send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert (raised.value.status, raised.value.error, raised.value.retryable) == (401, "invalid_client", False)


async def test_a_slow_identity_provider_does_not_block_the_event_loop(
    client: BotConnectorClient, sessions: SessionHolder, fake_connector: FakeConnector, idp: FakeIdentityProvider
) -> None:
    idp.token_delay = asyncio.Event()
    waiting = asyncio.create_task(client.send_to_conversation(fake_connector.service_url, PERSONAL, _message()))
    await idp.wait_for_token_requests(1)

    # While the token request hangs, the loop serves other work: a whole anonymous round trip completes.
    anonymous = EdgeCredentialsFactory(app_id="", sessions=sessions)
    other = await BotConnectorClient(sessions, anonymous).send_to_conversation(
        fake_connector.service_url, "a:other", _message(conversation="a:other")
    )
    assert other.status == 401  # the fake connector wants a token; the point is that it answered
    assert not waiting.done()

    idp.token_delay.set()
    assert (await waiting).status == 201


async def test_without_an_app_id_requests_carry_no_token(sessions: SessionHolder) -> None:
    async with FakeConnector() as open_connector:
        anonymous = EdgeCredentialsFactory(app_id="", sessions=sessions)
        response = await BotConnectorClient(sessions, anonymous).send_to_conversation(
            open_connector.service_url, PERSONAL, _message()
        )
    assert response.status == 201
    assert "Authorization" not in open_connector.requests[0].headers


async def test_managed_identity_tokens_come_from_the_identity_endpoint(
    sessions: SessionHolder, idp: FakeIdentityProvider, fake_connector: FakeConnector
) -> None:
    idp.managed_identities.add(APP_ID)
    msi = EdgeCredentialsFactory(
        app_id=APP_ID,
        app_type="UserAssignedMSI",
        tenant_id="tenant-1",
        sessions=sessions,
        managed_identity_endpoint=idp.msi_endpoint,
        managed_identity_header=idp.identity_header,
    )
    client = BotConnectorClient(sessions, msi)
    for _ in range(3):
        assert (await client.send_to_conversation(fake_connector.service_url, PERSONAL, _message())).status == 201

    [token_request] = idp.token_requests_log
    assert token_request.kind == "managed_identity"
    assert token_request.params["client_id"] == APP_ID
    assert token_request.params["resource"] == "https://api.botframework.com"
    assert token_request.headers["X-IDENTITY-HEADER"] == idp.identity_header


async def test_single_tenant_tokens_come_from_the_apps_tenant(
    sessions: SessionHolder, idp: FakeIdentityProvider, fake_connector: FakeConnector
) -> None:
    single = EdgeCredentialsFactory(
        app_id=APP_ID,
        password=SECRET,
        app_type="SingleTenant",
        tenant_id="tenant-1",
        login_endpoint=idp.login_url("tenant-1"),
        validate_authority=False,
        sessions=sessions,
    )
    await BotConnectorClient(sessions, single).send_to_conversation(fake_connector.service_url, PERSONAL, _message())
    assert idp.token_requests_log[0].tenant == "tenant-1"


# -- authority rules -----------------------------------------------------------------------------------------


def test_authority_follows_botbuilders_rules() -> None:
    public, gov = "https://login.microsoftonline.com/", "https://login.microsoftonline.us/"
    assert resolve_authority(None, app_type="MultiTenant", tenant_id=None) == public + "botframework.com"
    assert resolve_authority(None, app_type="SingleTenant", tenant_id="t1") == public + "t1"
    assert resolve_authority(public + "botframework.com", app_type="SingleTenant", tenant_id="t1") == public + "t1"
    assert resolve_authority(gov + "x", app_type="MultiTenant", tenant_id=None) == (
        gov + "MicrosoftServices.onmicrosoft.us"
    )
    assert resolve_authority("https://login.private.example/tenant/", app_type="SingleTenant", tenant_id="t1") == (
        "https://login.private.example/tenant"
    )


def test_validate_authority_is_honoured() -> None:
    check_authority("https://login.microsoftonline.com/botframework.com", validate_authority=True)
    check_authority("http://127.0.0.1:9/botframework.com", validate_authority=False)
    with pytest.raises(ValueError, match="VALIDATE_AUTHORITY=false"):
        check_authority("http://127.0.0.1:9/botframework.com", validate_authority=True)
    with pytest.raises(ValueError, match="not a known Microsoft identity platform host"):
        check_authority("https://login.private.example/t", validate_authority=True)


def test_credentials_factory_refuses_incomplete_configuration(sessions: SessionHolder) -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_PASSWORD"):
        EdgeCredentialsFactory(app_id=APP_ID, sessions=sessions)
    with pytest.raises(ValueError, match="MICROSOFT_APP_TENANT_ID"):
        EdgeCredentialsFactory(app_id=APP_ID, password=SECRET, app_type="SingleTenant", sessions=sessions)
    with pytest.raises(ValueError, match="MICROSOFT_APP_TENANT_ID"):
        EdgeCredentialsFactory(app_id=APP_ID, app_type="UserAssignedMSI", sessions=sessions)
    with pytest.raises(ValueError, match="VALIDATE_AUTHORITY"):
        EdgeCredentialsFactory(app_id=APP_ID, password=SECRET, login_endpoint="http://127.0.0.1:9/x", sessions=sessions)


async def test_credentials_are_cached_per_app_scope_and_refused_for_other_apps(
    credentials: EdgeCredentialsFactory,
) -> None:
    first = await credentials.create_credentials(APP_ID, "https://api.botframework.com", None, True)  # type: ignore[arg-type]
    again = await credentials.create_credentials(APP_ID, "https://api.botframework.com", None, True)  # type: ignore[arg-type]
    other_scope = await credentials.create_credentials(APP_ID, "https://other.example", None, True)  # type: ignore[arg-type]
    assert first is again and first is not other_scope
    with pytest.raises(PermissionError):
        await credentials.create_credentials("someone-else", "https://api.botframework.com", None, True)  # type: ignore[arg-type]
