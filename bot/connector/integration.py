"""botbuilder's extension points, filled with the fast connector.

- :class:`EdgeConnectorFactory` is the ``ConnectorFactory`` botbuilder's ``CloudAdapter`` asks for a
  connector client on every turn (and for proactive ``continue_conversation``/``create_conversation``).
  It returns a :class:`TurnConnectorClient`, cached per service URL and audience, so a turn builds nothing.
- :class:`TurnConnectorClient` has the shape of ``botframework.connector.aio.ConnectorClient`` that
  botbuilder uses (``.conversations.<operation>(...)`` returning schema models, ``.config.credentials``,
  ``.config.base_url``), implemented on :class:`~bot.connector.client.BotConnectorClient`. Non-2xx answers
  raise :class:`~bot.connector.errors.ConnectorHTTPError`, an ``ErrorResponseException`` like the stock
  client's. Anything else (``.attachments``) falls back to a stock client built on first use.
- :class:`SessionHttpClientFactory` is the ``HttpClientFactory`` for botbuilder's skill client, on the same
  session.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, cast

import aiohttp
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationResourceResponse,
    ResourceResponse,
)
from botframework.connector import HttpClientFactory
from botframework.connector.auth import ConnectorFactory
from botframework.connector.http_client_base import HttpClientBase
from botframework.connector.http_request import HttpRequest
from botframework.connector.http_response_base import HttpResponseBase

from bot.connector.client import BotConnectorClient
from bot.connector.credentials import EdgeAppCredentials, EdgeCredentialsFactory
from bot.connector.errors import ConnectorHTTPError
from bot.connector.response import ConnectorResponse
from bot.connector.serialization import dumps, from_wire
from bot.connector.session import SessionHolder

_MAX_CACHED_CLIENTS = 256


def _checked(response: ConnectorResponse, model_type: str | None) -> Any:
    if not response.ok:
        raise ConnectorHTTPError(response)
    if model_type is None or response.body is None:
        return None
    if model_type in ("ResourceResponse", "ConversationResourceResponse") and isinstance(response.body, dict):
        # The hot path (every reply): build the model directly instead of through msrest. An absent field is
        # None, as msrest would leave it; botbuilder annotates these fields `str = None`, hence the casts.
        body = response.body
        if model_type == "ResourceResponse":
            return ResourceResponse(id=cast(str, body.get("id")))
        return ConversationResourceResponse(
            activity_id=cast(str, body.get("activityId")),
            service_url=cast(str, body.get("serviceUrl")),
            id=cast(str, body.get("id")),
        )
    return from_wire(model_type, response.body)


class _Config:
    def __init__(self, base_url: str, credentials: EdgeAppCredentials) -> None:
        self.base_url = base_url
        self.credentials = credentials


class _ConversationsOperations:
    """Mirrors ``ConversationsOperations`` of the stock async client, argument for argument."""

    def __init__(self, client: TurnConnectorClient) -> None:
        self._client = client

    @property
    def _connector(self) -> BotConnectorClient:
        return self._client.connector

    async def _call(
        self, model_type: str | None, operation: Callable[..., Awaitable[ConnectorResponse]], *args: Any, **kwargs: Any
    ) -> Any:
        """``operation`` of the REST client on this turn's service URL and audience, its answer as ``model_type``."""
        response = await operation(self._client.service_url, *args, audience=self._client.audience, **kwargs)
        return _checked(response, model_type)

    async def send_to_conversation(
        self, conversation_id: str, activity: Activity, *, custom_headers: Any = None, **_config: Any
    ) -> ResourceResponse | None:
        send = self._connector.send_to_conversation
        return await self._call("ResourceResponse", send, conversation_id, activity, headers=custom_headers)

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, activity: Activity, *, custom_headers: Any = None, **_config: Any
    ) -> ResourceResponse | None:
        reply = self._connector.reply_to_activity
        return await self._call(
            "ResourceResponse", reply, conversation_id, activity_id, activity, headers=custom_headers
        )

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: Activity, *, custom_headers: Any = None, **_config: Any
    ) -> ResourceResponse | None:
        update = self._connector.update_activity
        return await self._call(
            "ResourceResponse", update, conversation_id, activity_id, activity, headers=custom_headers
        )

    async def delete_activity(self, conversation_id: str, activity_id: str, **_config: Any) -> None:
        await self._call(None, self._connector.delete_activity, conversation_id, activity_id)

    async def create_conversation(
        self, parameters: ConversationParameters, **_config: Any
    ) -> ConversationResourceResponse | None:
        return await self._call("ConversationResourceResponse", self._connector.create_conversation, parameters)

    async def get_conversations(self, continuation_token: str | None = None, **_config: Any) -> Any:
        get = self._connector.get_conversations
        return await self._call("ConversationsResult", get, continuation_token=continuation_token)

    async def send_conversation_history(self, conversation_id: str, history: Any = None, **_config: Any) -> Any:
        send = self._connector.send_conversation_history
        return await self._call("ResourceResponse", send, conversation_id, history)

    async def upload_attachment(self, conversation_id: str, attachment_upload: Any, **_config: Any) -> Any:
        upload = self._connector.upload_attachment
        return await self._call("ResourceResponse", upload, conversation_id, attachment_upload)

    async def get_conversation_members(self, conversation_id: str, **_config: Any) -> list[ChannelAccount]:
        return await self._call("[ChannelAccount]", self._connector.get_conversation_members, conversation_id)

    async def get_conversation_member(self, conversation_id: str, member_id: str, **_config: Any) -> ChannelAccount:
        get = self._connector.get_conversation_member
        return await self._call("ChannelAccount", get, conversation_id, member_id)

    async def get_conversation_paged_members(
        self, conversation_id: str, page_size: int | None = None, continuation_token: str | None = None, **_config: Any
    ) -> Any:
        return await self._paged_members(conversation_id, page_size, continuation_token, "PagedMembersResult")

    async def get_teams_conversation_paged_members(
        self, conversation_id: str, page_size: int | None = None, continuation_token: str | None = None, **_config: Any
    ) -> Any:
        # The same request; botbuilder's Teams helpers expect the Teams flavour of the result.
        return await self._paged_members(conversation_id, page_size, continuation_token, "TeamsPagedMembersResult")

    async def _paged_members(
        self, conversation_id: str, page_size: int | None, continuation_token: str | None, model_type: str
    ) -> Any:
        get = self._connector.get_conversation_paged_members
        return await self._call(
            model_type, get, conversation_id, page_size=page_size, continuation_token=continuation_token
        )

    async def get_activity_members(
        self, conversation_id: str, activity_id: str, **_config: Any
    ) -> list[ChannelAccount]:
        get = self._connector.get_activity_members
        return await self._call("[ChannelAccount]", get, conversation_id, activity_id)

    async def delete_conversation_member(self, conversation_id: str, member_id: str, **_config: Any) -> None:
        await self._call(None, self._connector.delete_conversation_member, conversation_id, member_id)


class TurnConnectorClient:
    """What botbuilder finds under ``turn_context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]``."""

    def __init__(
        self, connector: BotConnectorClient, service_url: str, credentials: EdgeAppCredentials, audience: str | None
    ) -> None:
        self.connector = connector
        self.service_url = service_url
        self.audience = audience
        self.config = _Config(service_url, credentials)
        self.conversations = _ConversationsOperations(self)
        self._stock: Any = None

    @property
    def attachments(self) -> Any:
        """Attachment downloads are not on any path we use: the stock client serves them, built on demand."""
        if self._stock is None:
            from botframework.connector.aio import ConnectorClient

            self._stock = ConnectorClient(self.config.credentials, base_url=self.service_url)
        return self._stock.attachments


class EdgeConnectorFactory(ConnectorFactory):
    """Hands botbuilder a cached :class:`TurnConnectorClient` for a service URL and audience.

    Args:
        connector: the REST client.
        credentials: the credentials factory (validates the app id, owns the token caches).
        app_id: the app id from the turn's claims ("" or None when authentication is off).
        default_audience: ``TO_CHANNEL_FROM_BOT_OAUTH_SCOPE``.
    """

    def __init__(
        self,
        connector: BotConnectorClient,
        credentials: EdgeCredentialsFactory,
        app_id: str | None,
        default_audience: str,
    ) -> None:
        self._connector = connector
        self._credentials = credentials
        self._app_id = app_id or ""
        self._default_audience = default_audience
        self._clients: OrderedDict[tuple[str, str], TurnConnectorClient] = OrderedDict()

    # botbuilder declares a ConnectorClient; a TurnConnectorClient has the part of one that botbuilder uses.
    async def create(self, service_url: str, audience: str | None = None) -> TurnConnectorClient:  # type: ignore[override]
        audience = audience or self._default_audience
        key = (service_url, audience)
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
            return client
        credentials = self._credentials.credentials(self._app_id, audience)
        client = TurnConnectorClient(self._connector, service_url, credentials, audience)
        self._clients[key] = client
        if len(self._clients) > _MAX_CACHED_CLIENTS:
            self._clients.popitem(last=False)
        return client


class _SessionHttpResponse(HttpResponseBase):
    def __init__(self, status: int, text: str) -> None:
        self._status = status
        self._text = text

    @property
    def status_code(self) -> int:
        return self._status

    async def is_succesful(self) -> bool:  # sic: botbuilder's spelling
        return 200 <= self._status < 300

    async def read_content_str(self) -> str:
        return self._text


class _SessionHttpClient(HttpClientBase):
    def __init__(self, sessions: SessionHolder, timeout: float) -> None:
        self._sessions = sessions
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def post(self, *, request: HttpRequest) -> HttpResponseBase:
        content = request.content
        data = content if isinstance(content, (bytes, str)) else dumps(content)
        async with self._sessions.get().post(
            request.request_uri, data=data, headers=request.headers or {}, timeout=self._timeout
        ) as response:
            return _SessionHttpResponse(response.status, await response.text())


class SessionHttpClientFactory(HttpClientFactory):
    """botbuilder's ``HttpClientFactory`` (used for skill calls) on the shared session."""

    def __init__(self, sessions: SessionHolder, *, timeout: float = 15.0) -> None:
        self._sessions = sessions
        self._timeout = timeout

    def create_client(self) -> HttpClientBase:
        return _SessionHttpClient(self._sessions, self._timeout)
