"""Access tokens for calling the Bot Connector, fetched on the event loop and cached until shortly before expiry.

The stock credentials build a new MSAL client (with an empty token cache) per turn and call it synchronously on
the event-loop thread, so every turn pays one token request and a slow identity provider stalls every other
turn. Here one :class:`AccessTokenCache` exists per app id, scope and authority for the life of the process:

- one token request per token lifetime: concurrent callers share one in-flight request (single flight);
- inside the refresh window (5 minutes, or half the lifetime for short-lived tokens) callers keep getting the
  current token while one background request fetches the next, so no turn waits for a routine refresh;
- an expired or missing token is fetched while callers wait, with a timeout, never blocking the loop;
- failures are not cached: the next caller tries again (a failed background refresh waits a few seconds
  before the next attempt while the current token is still valid).

Two sources: client secret (OAuth 2.0 client-credentials grant against ``{authority}/oauth2/v2.0/token``, as
MSAL does for MultiTenant and SingleTenant apps) and user-assigned managed identity (App Service /
Container Apps ``IDENTITY_ENDPOINT`` with ``IDENTITY_HEADER``, else the Azure instance metadata service).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from bot.connector.errors import TokenAcquisitionError
from bot.connector.session import SessionHolder

log = logging.getLogger(__name__)

IMDS_TOKEN_ENDPOINT = "http://169.254.169.254/metadata/identity/oauth2/token"  # noqa: S105 - a URL
DEFAULT_REFRESH_MARGIN_SECONDS = 300.0
FAILED_REFRESH_BACKOFF_SECONDS = 5.0
DEFAULT_TOKEN_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: float  # seconds, counted from when the request was sent


class TokenSource(Protocol):
    """Where tokens come from. ``fetch`` sends one request; caching is :class:`AccessTokenCache`'s job."""

    description: str

    async def fetch(self, session: aiohttp.ClientSession) -> IssuedToken: ...


def _retryable(status: int) -> bool:
    return status in (408, 429) or status >= 500


async def _read_token_response(response: aiohttp.ClientResponse, description: str) -> dict[str, Any]:
    text = await response.text()
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {}
    if response.status != 200 or not isinstance(body, dict) or not body.get("access_token"):
        error = body.get("error") if isinstance(body, dict) else None
        detail = (body.get("error_description") if isinstance(body, dict) else None) or text[:200]
        raise TokenAcquisitionError(
            f"{description}: token request answered {response.status}: {error or ''} {detail}".strip(),
            status=response.status,
            error=error,
            retryable=_retryable(response.status),
        )
    return body


def _lifetime(body: dict[str, Any], sent_at_epoch: float) -> float:
    if body.get("expires_in") is not None:
        return float(body["expires_in"])
    if body.get("expires_on") is not None:  # managed identity: absolute epoch seconds
        return float(body["expires_on"]) - sent_at_epoch
    return 3600.0


class ClientSecretTokenSource:
    """OAuth 2.0 client-credentials grant: ``POST {authority}/oauth2/v2.0/token``."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        authority: str,
        scope: str,
        timeout: float = DEFAULT_TOKEN_TIMEOUT_SECONDS,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.authority = authority.rstrip("/")
        self.token_endpoint = f"{self.authority}/oauth2/v2.0/token"
        self.scope = scope if scope.endswith("/.default") else f"{scope.rstrip('/')}/.default"
        self.timeout = timeout
        self.description = f"client secret of {client_id} at {self.authority} for {self.scope}"

    async def fetch(self, session: aiohttp.ClientSession) -> IssuedToken:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "scope": self.scope,
        }
        sent_at = time.time()
        async with (
            _errors_as_token_errors(self.description),
            session.post(
                self.token_endpoint,
                data=form,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"Accept": "application/json"},
            ) as response,
        ):
            body = await _read_token_response(response, self.description)
        return IssuedToken(str(body["access_token"]), _lifetime(body, sent_at))


class ManagedIdentityTokenSource:
    """User-assigned managed identity: ``GET {endpoint}?resource=…&client_id=…``.

    With ``identity_header`` (App Service, Container Apps: the ``IDENTITY_ENDPOINT``/``IDENTITY_HEADER``
    environment variables) it uses API version 2019-08-01 and the ``X-IDENTITY-HEADER`` header; otherwise
    the instance metadata service with ``Metadata: true``.
    """

    def __init__(
        self,
        *,
        client_id: str,
        resource: str,
        endpoint: str | None = None,
        identity_header: str | None = None,
        timeout: float = DEFAULT_TOKEN_TIMEOUT_SECONDS,
    ) -> None:
        self.client_id = client_id
        self.resource = resource.removesuffix("/.default")
        self.endpoint = endpoint or IMDS_TOKEN_ENDPOINT
        self._identity_header = identity_header
        self.timeout = timeout
        self.description = f"managed identity {client_id} for {self.resource}"

    async def fetch(self, session: aiohttp.ClientSession) -> IssuedToken:
        if self._identity_header:
            params = {"api-version": "2019-08-01", "resource": self.resource, "client_id": self.client_id}
            headers = {"X-IDENTITY-HEADER": self._identity_header}
        else:
            params = {"api-version": "2018-02-01", "resource": self.resource, "client_id": self.client_id}
            headers = {"Metadata": "true"}
        sent_at = time.time()
        async with (
            _errors_as_token_errors(self.description),
            session.get(
                self.endpoint, params=params, headers=headers, timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as response,
        ):
            body = await _read_token_response(response, self.description)
        return IssuedToken(str(body["access_token"]), _lifetime(body, sent_at))


class _errors_as_token_errors:  # lower case: it reads as a context manager, `async with _errors_as_...`
    def __init__(self, description: str) -> None:
        self._description = description

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: Any) -> bool:
        if error is None or isinstance(error, TokenAcquisitionError):
            return False
        if isinstance(error, TimeoutError):
            raise TokenAcquisitionError(f"{self._description}: token request timed out") from error
        if isinstance(error, aiohttp.ClientError):
            raise TokenAcquisitionError(f"{self._description}: token request failed: {error!r}") from error
        return False


@dataclass(frozen=True, slots=True)
class _CachedToken:
    value: str
    refresh_at: float
    expires_at: float


class AccessTokenCache:
    """One app id's token for one scope: fetched once per lifetime, refreshed shortly before it expires.

    Args:
        source: where tokens come from.
        sessions: the shared client session.
        refresh_margin: how long before expiry to start fetching the next token (capped at half the lifetime).
        clock: monotonic seconds; tests pass a fake one to move time without sleeping.
    """

    def __init__(
        self,
        source: TokenSource,
        sessions: SessionHolder,
        *,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self._sessions = sessions
        self._margin = refresh_margin
        self._clock = clock
        self._token: _CachedToken | None = None
        self._inflight: asyncio.Task[str] | None = None
        self._next_background_attempt = 0.0
        self.fetch_count = 0

    def peek(self) -> str | None:
        """The current token if it has not expired, without fetching."""
        token = self._token
        if token is not None and self._clock() < token.expires_at:
            return token.value
        return None

    async def get(self) -> str:
        now = self._clock()
        token = self._token
        if token is not None and now < token.refresh_at:
            return token.value
        if token is not None and now < token.expires_at:
            if self._inflight is None and now >= self._next_background_attempt:
                self._next_background_attempt = now + FAILED_REFRESH_BACKOFF_SECONDS
                self._start_fetch()
            return token.value
        task = self._inflight or self._start_fetch()
        return await asyncio.shield(task)

    @property
    def pending_refresh(self) -> asyncio.Task[str] | None:
        """The token request in flight, if any (awaitable by tests and diagnostics)."""
        return self._inflight

    def invalidate(self, value: str) -> None:
        """Forget ``value`` (the connector rejected it with 401), so the next caller fetches a new one."""
        if self._token is not None and self._token.value == value:
            self._token = None

    def get_blocking(self, timeout: float | None = None) -> str:
        """For botbuilder's synchronous msrest clients only (``TeamsInfo``'s ``TeamsConnectorClient``).

        Returns the cached token when there is one. Otherwise it fetches one on a private event loop in a
        worker thread and waits, blocking the caller's loop exactly as the stock credentials do; this
        happens at most once per token lifetime, and only if no async call fetched a token first.
        """
        cached = self.peek()
        if cached is not None:
            return cached
        log.warning("blocking token fetch for a synchronous botbuilder client (%s)", self.source.description)

        async def fetch_on_private_loop() -> IssuedToken:
            async with aiohttp.ClientSession() as session:
                return await self.source.fetch(session)

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            started = self._clock()
            issued = pool.submit(asyncio.run, fetch_on_private_loop()).result(timeout)
        self.fetch_count += 1
        return self._store(issued, started)

    def _start_fetch(self) -> asyncio.Task[str]:
        task = asyncio.get_running_loop().create_task(self._fetch())
        self._inflight = task
        task.add_done_callback(self._fetch_done)
        return task

    def _fetch_done(self, task: asyncio.Task[str]) -> None:
        if self._inflight is task:
            self._inflight = None
        if not task.cancelled() and task.exception() is not None:
            log.warning("access token fetch failed: %s", task.exception())

    async def _fetch(self) -> str:
        started = self._clock()
        self.fetch_count += 1
        issued = await self.source.fetch(self._sessions.get())
        return self._store(issued, started)

    def _store(self, issued: IssuedToken, started: float) -> str:
        lifetime = max(issued.expires_in, 0.0)
        expires_at = started + lifetime
        refresh_at = expires_at - min(self._margin, lifetime / 2)
        self._token = _CachedToken(issued.access_token, refresh_at, expires_at)
        self._next_background_attempt = 0.0
        return issued.access_token
