"""A Bot Connector REST client on the shared aiohttp session: the bot's only way to send to Teams.

Every method returns a :class:`ConnectorResponse` — HTTP status, parsed JSON body, ``Retry-After`` — and does
not raise for HTTP errors, so callers (the notification outbox, the turn shim) decide what a 429, 403 or 5xx
means. It raises only when there is no HTTP answer to give: :class:`~bot.connector.errors.ConnectorTimeout`,
:class:`~bot.connector.errors.ConnectorTransportError`, or
:class:`~bot.connector.errors.TokenAcquisitionError` when no access token could be obtained.

Requests carry ``Authorization: Bearer <token>`` for the configured app (none when authentication is off).
If the connector answers 401 to a cached token, the token is dropped and the request is sent once more with a
fresh one. Nothing else is retried here: retry policy (Teams' rate limits, ``Retry-After``) belongs to the
caller.

Example::

    response = await connector.send_to_conversation(service_url, conversation_id, activity)
    if response.ok:
        message_id = response.id
    elif response.retryable:
        retry_in = response.retry_after  # seconds, or None: back off exponentially
    elif response.conversation_unavailable:
        ...  # 403/404: the user removed or blocked the bot; do not retry
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import aiohttp
from botbuilder.schema import Activity, ConversationParameters
from yarl import URL

from bot.connector.credentials import EdgeCredentialsFactory
from bot.connector.errors import ConnectorResponseTooLarge, ConnectorTimeout, ConnectorTransportError
from bot.connector.response import ConnectorResponse, parse_retry_after
from bot.connector.serialization import dumps, to_wire, wire_json
from bot.connector.session import SessionHolder
from bot.connector.version import USER_AGENT
from storage import json_text

DEFAULT_TIMEOUT_SECONDS = 10.0

_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}


# The Bot Connector's REST endpoints, each written once; every "{}" is one path segment, filled in by _path.
_CONVERSATIONS = "/v3/conversations"
_ACTIVITIES = "/v3/conversations/{}/activities"
_ACTIVITY = "/v3/conversations/{}/activities/{}"
_ACTIVITY_MEMBERS = "/v3/conversations/{}/activities/{}/members"
_HISTORY = "/v3/conversations/{}/activities/history"
_ATTACHMENTS = "/v3/conversations/{}/attachments"
_MEMBERS = "/v3/conversations/{}/members"
_MEMBER = "/v3/conversations/{}/members/{}"
_PAGED_MEMBERS = "/v3/conversations/{}/pagedmembers"
_TEAM = "/v3/teams/{}"
_TEAM_CHANNELS = "/v3/teams/{}/conversations"
_MEETING_PARTICIPANT = "/v1/meetings/{}/participants/{}"
_MEETING = "/v1/meetings/{}"


def _path(endpoint: str, *segments: str) -> str:
    # msrest quotes path arguments with safe='' (":" and "@" in Teams ids become %3A and %40).
    return endpoint.format(*(_quoted(str(segment)) for segment in segments))


_UNSAFE = re.compile(r"[^A-Za-z0-9_.~-]+")  # what urllib's quote(safe="") leaves as it is, as a class


def _percent_encoded(unsafe: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in unsafe.group().encode("utf-8"))


def _quoted(segment: str) -> str:
    """``urllib.parse.quote(segment, safe="")``, the same text (and the same error for a lone surrogate).

    ``quote`` encodes a text with anything to quote in it character by character in Python: 17 us for a Teams
    conversation id and an activity id, on every reply. Here a regular expression finds the runs to encode.
    """
    return _UNSAFE.sub(_percent_encoded, segment)


class BotConnectorClient:
    """The Bot Connector REST API (``{serviceUrl}/v3/...``) for one bot identity, on the shared session.

    Args:
        sessions: the shared client session (a :class:`SessionHolder` or an ``aiohttp.ClientSession``).
        credentials: the credentials factory that owns the token caches.
        app_id: the bot's app id ("" when authentication is off: requests carry no token).
        timeout: seconds for one request, connection included.
    """

    def __init__(
        self,
        sessions: SessionHolder | aiohttp.ClientSession,
        credentials: EdgeCredentialsFactory,
        *,
        app_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._sessions = sessions if isinstance(sessions, SessionHolder) else SessionHolder(sessions)
        self._credentials = credentials
        self.app_id = credentials.app_id if app_id is None else app_id
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    # -- conversations -------------------------------------------------------------------------------------

    async def send_to_conversation(
        self,
        service_url: str,
        conversation_id: str,
        activity: Activity | dict[str, Any],
        *,
        audience: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> ConnectorResponse:
        """``POST /v3/conversations/{id}/activities``: append an activity (201 ``{id}``)."""
        path = _path(_ACTIVITIES, conversation_id)
        body = wire_json(activity)
        return await self.request("POST", service_url, path, body=body, audience=audience, headers=headers)

    async def reply_to_activity(
        self,
        service_url: str,
        conversation_id: str,
        activity_id: str,
        activity: Activity | dict[str, Any],
        *,
        audience: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> ConnectorResponse:
        """``POST /v3/conversations/{id}/activities/{activityId}``: reply in the thread (201 ``{id}``)."""
        path = _path(_ACTIVITY, conversation_id, activity_id)
        extra = {"x-ms-conversation-id": conversation_id, **(headers or {})}
        return await self.request("POST", service_url, path, body=wire_json(activity), audience=audience, headers=extra)

    async def update_activity(
        self,
        service_url: str,
        conversation_id: str,
        activity_id: str,
        activity: Activity | dict[str, Any],
        *,
        audience: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> ConnectorResponse:
        """``PUT /v3/conversations/{id}/activities/{activityId}``: replace a sent message or card."""
        path = _path(_ACTIVITY, conversation_id, activity_id)
        body = wire_json(activity)
        return await self.request("PUT", service_url, path, body=body, audience=audience, headers=headers)

    async def delete_activity(
        self, service_url: str, conversation_id: str, activity_id: str, *, audience: str | None = None
    ) -> ConnectorResponse:
        path = _path(_ACTIVITY, conversation_id, activity_id)
        return await self.request("DELETE", service_url, path, audience=audience)

    async def create_conversation(
        self, service_url: str, parameters: ConversationParameters | dict[str, Any], *, audience: str | None = None
    ) -> ConnectorResponse:
        """``POST /v3/conversations``: start a 1:1 chat or a channel post (201 ``{id, activityId?}``)."""
        body = to_wire(parameters, "ConversationParameters")
        return await self.request("POST", service_url, _CONVERSATIONS, body=body, audience=audience)

    async def get_conversations(
        self, service_url: str, *, continuation_token: str | None = None, audience: str | None = None
    ) -> ConnectorResponse:
        params = {"continuationToken": continuation_token} if continuation_token else None
        return await self.request("GET", service_url, _CONVERSATIONS, params=params, audience=audience)

    async def send_conversation_history(
        self, service_url: str, conversation_id: str, history: Any, *, audience: str | None = None
    ) -> ConnectorResponse:
        path = _path(_HISTORY, conversation_id)
        return await self.request("POST", service_url, path, body=to_wire(history, "Transcript"), audience=audience)

    async def upload_attachment(
        self, service_url: str, conversation_id: str, attachment_upload: Any, *, audience: str | None = None
    ) -> ConnectorResponse:
        path = _path(_ATTACHMENTS, conversation_id)
        return await self.request(
            "POST", service_url, path, body=to_wire(attachment_upload, "AttachmentData"), audience=audience
        )

    # -- members -------------------------------------------------------------------------------------------

    async def get_conversation_members(
        self, service_url: str, conversation_id: str, *, audience: str | None = None
    ) -> ConnectorResponse:
        """``GET /v3/conversations/{id}/members``. Teams lists use ``objectId`` for the AAD object id."""
        return await self.request("GET", service_url, _path(_MEMBERS, conversation_id), audience=audience)

    async def get_conversation_member(
        self, service_url: str, conversation_id: str, member_id: str, *, audience: str | None = None
    ) -> ConnectorResponse:
        """``GET /v3/conversations/{id}/members/{memberId}`` (by channel user id; has ``aadObjectId``)."""
        path = _path(_MEMBER, conversation_id, member_id)
        return await self.request("GET", service_url, path, audience=audience)

    async def get_conversation_paged_members(
        self,
        service_url: str,
        conversation_id: str,
        *,
        page_size: int | None = None,
        continuation_token: str | None = None,
        audience: str | None = None,
    ) -> ConnectorResponse:
        params: dict[str, str] = {}
        if page_size is not None:
            params["pageSize"] = str(page_size)
        if continuation_token is not None:
            params["continuationToken"] = continuation_token
        path = _path(_PAGED_MEMBERS, conversation_id)
        return await self.request("GET", service_url, path, params=params or None, audience=audience)

    async def get_activity_members(
        self, service_url: str, conversation_id: str, activity_id: str, *, audience: str | None = None
    ) -> ConnectorResponse:
        path = _path(_ACTIVITY_MEMBERS, conversation_id, activity_id)
        return await self.request("GET", service_url, path, audience=audience)

    async def delete_conversation_member(
        self, service_url: str, conversation_id: str, member_id: str, *, audience: str | None = None
    ) -> ConnectorResponse:
        path = _path(_MEMBER, conversation_id, member_id)
        return await self.request("DELETE", service_url, path, audience=audience)

    # -- Teams -----------------------------------------------------------------------------------------------

    async def get_team_details(
        self, service_url: str, team_id: str, *, audience: str | None = None
    ) -> ConnectorResponse:
        return await self.request("GET", service_url, _path(_TEAM, team_id), audience=audience)

    async def get_team_channels(
        self, service_url: str, team_id: str, *, audience: str | None = None
    ) -> ConnectorResponse:
        return await self.request("GET", service_url, _path(_TEAM_CHANNELS, team_id), audience=audience)

    async def get_meeting_participant(
        self,
        service_url: str,
        meeting_id: str,
        participant_id: str,
        tenant_id: str,
        *,
        audience: str | None = None,
        timeout_seconds: float | None = None,
        max_body_bytes: int | None = None,
    ) -> ConnectorResponse:
        """``GET /v1/meetings/{meetingId}/participants/{participantId}?tenantId=…`` (Organizer/Presenter/…).

        botbuilder 4.17's ``TeamsInfo.get_meeting_participant`` calls ``/v1/meetings/{meetingId}`` instead
        (its ``fetch_meeting`` overwrites ``fetch_participant``'s URL); this is the documented endpoint.
        ``timeout_seconds`` and ``max_body_bytes`` bound a look-up someone is waiting for.
        """
        path = _path(_MEETING_PARTICIPANT, meeting_id, participant_id)
        return await self.request(
            "GET",
            service_url,
            path,
            params={"tenantId": tenant_id},
            audience=audience,
            timeout_seconds=timeout_seconds,
            max_body_bytes=max_body_bytes,
        )

    async def get_meeting_info(
        self,
        service_url: str,
        meeting_id: str,
        *,
        audience: str | None = None,
        timeout_seconds: float | None = None,
        max_body_bytes: int | None = None,
    ) -> ConnectorResponse:
        """``GET /v1/meetings/{meetingId}``: the meeting's details (join URL, scheduled times, title, type)."""
        return await self.request(
            "GET",
            service_url,
            _path(_MEETING, meeting_id),
            audience=audience,
            timeout_seconds=timeout_seconds,
            max_body_bytes=max_body_bytes,
        )

    # -- transport -------------------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        service_url: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        audience: str | None = None,
        timeout_seconds: float | None = None,
        max_body_bytes: int | None = None,
    ) -> ConnectorResponse:
        """Send one request to ``{service_url}{path}`` (``path`` already percent-encoded) and read the answer.

        ``body``: a JSON value, or ``bytes`` of JSON already written (:func:`~bot.connector.serialization.wire_json`).

        ``timeout_seconds`` replaces the client's own for this request; an answer longer than ``max_body_bytes``
        raises :class:`~bot.connector.errors.ConnectorResponseTooLarge` instead of being read whole.
        """
        url = URL(service_url.rstrip("/") + path, encoded=True)
        if params:
            url = url.with_query(params)
        request_headers = dict(_JSON_HEADERS) if body is not None else {"Accept": "application/json"}
        request_headers["User-Agent"] = USER_AGENT
        if headers:
            request_headers.update(headers)
        data = body if body is None or isinstance(body, bytes) else dumps(body)
        credentials = self._credentials.credentials(self.app_id, audience)
        token = await credentials.get_token()
        limits = _Limits(
            aiohttp.ClientTimeout(total=timeout_seconds) if timeout_seconds is not None else self._timeout,
            max_body_bytes,
        )
        response = await self._send(method, url, data, request_headers, token, limits)
        if response.status == 401 and token is not None:
            credentials.invalidate(token)
            response = await self._send(method, url, data, request_headers, await credentials.get_token(), limits)
        return response

    async def _send(
        self, method: str, url: URL, data: bytes | None, headers: dict[str, str], token: str | None, limits: _Limits
    ) -> ConnectorResponse:
        if token is not None:
            headers = {**headers, "Authorization": f"Bearer {token}"}
        try:
            async with self._sessions.get().request(
                method, url, data=data, headers=headers, timeout=limits.timeout
            ) as response:
                if limits.max_body_bytes is None:
                    raw = await response.read()
                else:
                    raw = await response.content.read(limits.max_body_bytes + 1)
                    if len(raw) > limits.max_body_bytes:
                        raise ConnectorResponseTooLarge(
                            f"{method} {url} answered more than {limits.max_body_bytes} bytes",
                            method=method,
                            url=str(url),
                        )
                status = response.status
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
        except TimeoutError as error:
            raise ConnectorTimeout(f"{method} {url} timed out", method=method, url=str(url)) from error
        except aiohttp.ClientError as error:
            raise ConnectorTransportError(f"{method} {url} failed: {error!r}", method=method, url=str(url)) from error
        return ConnectorResponse(method, str(url), status, _parse_body(raw), retry_after)


@dataclass(frozen=True, slots=True)
class _Limits:
    timeout: aiohttp.ClientTimeout
    max_body_bytes: int | None


def _parse_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json_text.loads(raw)
    except (ValueError, RecursionError):
        return raw.decode("utf-8", "replace")
