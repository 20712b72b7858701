"""A local stand-in for the Bot Framework's identity services, on loopback, for offline auth tests.

It serves what the bot talks to when authentication is on:

- the channel's OpenID metadata (``/v1/.well-known/openidconfiguration``) and key set
  (``/v1/.well-known/keys``), whose keys carry Bot Framework ``endorsements`` (``msteams``, ...) as the real
  ``login.botframework.com`` ones do;
- an Azure AD-style token endpoint (``POST /{tenant}/oauth2/v2.0/token``, client-credentials grant) that
  checks the client id and secret and issues access tokens;
- a managed-identity token endpoint (``GET /msi/token``, App Service style, ``X-IDENTITY-HEADER``);

and it mints the channel tokens Teams would send to the bot (:meth:`FakeIdentityProvider.channel_token`),
correct or wrong in any one way (expired, not yet valid, other audience/issuer/service URL, signed with an
unpublished key, bad signature, unsigned).

Usage::

    async with FakeIdentityProvider() as idp:
        settings = Settings(**idp.bot_settings(app_id="app-1", password="s3cret"), database_url=...)
        token = idp.channel_token(app_id="app-1", service_url=connector.service_url)
        ...
        assert idp.token_requests == 1
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

CHANNEL_ISSUER = "https://api.botframework.com"
DEFAULT_ENDORSEMENTS = ("msteams", "webchat", "emulator", "directline")
BOT_FRAMEWORK_TENANT = "botframework.com"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass
class SigningKeyPair:
    kid: str
    private_key: rsa.RSAPrivateKey
    endorsements: list[str] = field(default_factory=lambda: list(DEFAULT_ENDORSEMENTS))

    @classmethod
    def generate(cls, kid: str, endorsements: Iterable[str] = DEFAULT_ENDORSEMENTS) -> SigningKeyPair:
        return cls(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048), list(endorsements))

    def jwk(self) -> dict[str, Any]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": _b64(numbers.n),
            "e": _b64(numbers.e),
            "endorsements": list(self.endorsements),
        }


@dataclass
class TokenRequest:
    """One request to a token endpoint, as received."""

    kind: str  # "client_credentials" | "managed_identity"
    tenant: str | None
    params: dict[str, str]
    headers: dict[str, str]


class FakeIdentityProvider:
    """OpenID metadata, signing keys and token endpoints on 127.0.0.1.

    Attributes:
        keys: the published signing keys (``keys[0]`` signs channel tokens by default).
        clients: client id → secret accepted by the token endpoint.
        token_lifetime: ``expires_in`` of issued access tokens, in seconds.
        token_requests_log: every token request received.
        metadata_requests / jwks_requests: how often the metadata and key set were downloaded.
    """

    def __init__(self, *, token_lifetime: int = 3599, endorsements: Iterable[str] = DEFAULT_ENDORSEMENTS) -> None:
        self.keys: list[SigningKeyPair] = [SigningKeyPair.generate("key-1", endorsements)]
        self.clients: dict[str, str] = {}
        self.managed_identities: set[str] = set()
        self.identity_header = "fake-identity-header"
        self.token_lifetime = token_lifetime
        self.token_delay: asyncio.Event | None = None
        self.token_failures: list[int] = []
        self.token_requests_log: list[TokenRequest] = []
        self._token_arrived = asyncio.Condition()
        self.issued_tokens: list[str] = []
        self.metadata_requests = 0
        self.jwks_requests = 0
        self.jwks_status = 200
        self._server: TestServer | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------

    async def start(self) -> FakeIdentityProvider:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._jwks)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/msi/token", self._msi_token)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    async def __aenter__(self) -> FakeIdentityProvider:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # -- addresses and settings ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the provider first"
        return str(self._server.make_url("")).rstrip("/")

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    @property
    def msi_endpoint(self) -> str:
        return f"{self.base_url}/msi/token"

    def login_url(self, tenant: str = BOT_FRAMEWORK_TENANT) -> str:
        return f"{self.base_url}/{tenant}"

    def bot_settings(
        self,
        *,
        app_id: str,
        password: str = "",
        app_type: str = "MultiTenant",
        tenant_id: str = "",
        tenant_in_login_url: str | None = None,
    ) -> dict[str, Any]:
        """Settings keyword arguments that point a bot at this provider (alternate-cloud endpoints)."""
        if password:
            self.clients[app_id] = password
        if app_type == "UserAssignedMSI":
            self.managed_identities.add(app_id)
        return {
            "microsoft_app_id": app_id,
            "microsoft_app_password": password,
            "microsoft_app_type": app_type,
            "microsoft_app_tenant_id": tenant_id,
            "to_bot_from_channel_openid_metadata_url": self.metadata_url,
            "to_bot_from_channel_token_issuer": CHANNEL_ISSUER,
            "to_channel_from_bot_login_url": self.login_url(tenant_in_login_url or tenant_id or BOT_FRAMEWORK_TENANT),
            "to_channel_from_bot_oauth_scope": CHANNEL_ISSUER,
            "validate_authority": False,
        }

    @property
    def token_requests(self) -> int:
        return len(self.token_requests_log)

    # -- keys ----------------------------------------------------------------------------------------------

    def publish_key(self, kid: str, endorsements: Iterable[str] = DEFAULT_ENDORSEMENTS) -> SigningKeyPair:
        key = SigningKeyPair.generate(kid, endorsements)
        self.keys.append(key)
        return key

    def publish(self, key: SigningKeyPair) -> None:
        self.keys.append(key)

    # -- tokens the channel sends to the bot ---------------------------------------------------------------

    def channel_token(
        self,
        *,
        app_id: str,
        service_url: str,
        issuer: str = CHANNEL_ISSUER,
        audience: str | None = None,
        key: SigningKeyPair | None = None,
        kid: str | None = None,
        lifetime: int = 3600,
        not_before_in: int = -60,
        issued_at: float | None = None,
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        """A Bot Framework channel token as Teams sends it, signed with ``key`` (default: the first key)."""
        key = key or self.keys[0]
        now = int(time.time() if issued_at is None else issued_at)
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": app_id if audience is None else audience,
            "serviceurl": service_url,
            "nbf": now + not_before_in,
            "exp": now + lifetime,
        }
        claims.update(extra_claims or {})
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid if kid is None else kid})

    @staticmethod
    def unsigned_token(claims: dict[str, Any], kid: str = "key-1") -> str:
        return jwt.encode(claims, key=None, algorithm="none", headers={"kid": kid})  # type: ignore[arg-type]

    @staticmethod
    def with_bad_signature(token: str) -> str:
        header, payload, signature = token.split(".")
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        return f"{header}.{payload}.{flipped}"

    # -- handlers ------------------------------------------------------------------------------------------

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_requests += 1
        return web.json_response(
            {
                "issuer": CHANNEL_ISSUER,
                "authorization_endpoint": f"{self.base_url}/v1/authorize",
                "jwks_uri": f"{self.base_url}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_requests += 1
        if self.jwks_status != 200:
            return web.json_response({"error": "unavailable"}, status=self.jwks_status)
        return web.json_response({"keys": [key.jwk() for key in self.keys]})

    async def wait_for_token_requests(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``count`` token requests have arrived (no sleeping)."""
        async with asyncio.timeout(timeout):
            async with self._token_arrived:
                await self._token_arrived.wait_for(lambda: self.token_requests >= count)

    async def _answer_token(self, request: TokenRequest, client_id: str, resource: str) -> web.Response:
        self.token_requests_log.append(request)
        async with self._token_arrived:
            self._token_arrived.notify_all()
        if self.token_delay is not None:
            await self.token_delay.wait()
        if self.token_failures:
            status = self.token_failures.pop(0)
            return web.json_response(
                {"error": "temporarily_unavailable", "error_description": "scripted failure"}, status=status
            )
        token = self._access_token(client_id, resource)
        body: dict[str, Any] = {"token_type": "Bearer", "access_token": token}
        if request.kind == "managed_identity":
            body.update(expires_on=str(int(time.time()) + self.token_lifetime), resource=resource)
        else:
            body.update(expires_in=self.token_lifetime, ext_expires_in=self.token_lifetime)
        return web.json_response(body)

    async def _token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        record = TokenRequest("client_credentials", request.match_info["tenant"], form, dict(request.headers))
        if form.get("grant_type") != "client_credentials":
            self.token_requests_log.append(record)
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        client_id = form.get("client_id", "")
        if self.clients.get(client_id) is None or self.clients[client_id] != form.get("client_secret"):
            self.token_requests_log.append(record)
            return web.json_response(
                {"error": "invalid_client", "error_description": "bad client id or secret"}, status=401
            )
        return await self._answer_token(record, client_id, form.get("scope", "").removesuffix("/.default"))

    async def _msi_token(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        record = TokenRequest("managed_identity", None, params, dict(request.headers))
        if request.headers.get("X-IDENTITY-HEADER") != self.identity_header:
            self.token_requests_log.append(record)
            return web.json_response({"error": "unauthorized"}, status=401)
        client_id = params.get("client_id", "")
        if client_id not in self.managed_identities:
            self.token_requests_log.append(record)
            return web.json_response({"error": "invalid_request", "error_description": "unknown identity"}, status=400)
        return await self._answer_token(record, client_id, params.get("resource", ""))

    def _access_token(self, client_id: str, resource: str) -> str:
        now = int(time.time())
        token = jwt.encode(
            {
                "iss": f"{self.base_url}/",
                "aud": resource,
                "appid": client_id,
                "ver": "1.0",
                "iat": now,
                "nbf": now,
                "exp": now + self.token_lifetime,
                "jti": uuid.uuid4().hex,
            },
            self.keys[0].private_key,
            algorithm="RS256",
            headers={"kid": self.keys[0].kid},
        )
        self.issued_tokens.append(token)
        return token

    def issued(self, authorization: str | None) -> bool:
        """True when ``authorization`` is ``Bearer <a token this provider issued>``."""
        if not authorization or not authorization.startswith("Bearer "):
            return False
        return authorization.removeprefix("Bearer ") in self.issued_tokens
