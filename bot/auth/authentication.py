"""botbuilder's ``BotFrameworkAuthentication`` for our edge: its validation, our failure handling and connector.

Inbound tokens are validated by botbuilder's own code (``BotFrameworkAuthenticationFactory``: the public
cloud, or the "parameterized" cloud when an alternate endpoint is configured), with three changes:

- every way a token can be wrong ends as :class:`~bot.auth.errors.AuthenticationError` (401). Stock
  botbuilder lets PyJWT's exceptions, ``IndexError`` (unknown key) and ``AttributeError`` (no token with
  alternate endpoints) escape as HTTP 500, which makes Teams redeliver;
- signing keys come from the adapter's :class:`~bot.auth.keys.KeySetRegistry` (async, refresh on unknown
  key), through :mod:`bot.auth.patches`;
- the connector factory and user-token client it hands to ``CloudAdapter`` are cheap: a cached
  :class:`~bot.connector.integration.EdgeConnectorFactory` and a user-token client built only if a turn
  actually uses OAuth (the stock one builds an msrest ``TokenApiClient`` per turn and never uses it).

Validation costs about 0.4 ms per request (PyJWT decodes each token five times along botbuilder's path, and
checks its signature). Teams sends the same channel token with many requests, so a token that passed is
remembered — for the same service URL and channel, until its ``exp`` — and its next requests skip the work.
Only successes are remembered: every request with a bad token goes through full validation and is rejected.

With authentication off (no app id) the ``Authorization`` header is ignored and every request is anonymous.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import jwt
from botbuilder.schema import Activity
from botframework.connector import HttpClientFactory
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConfiguration,
    BotFrameworkAuthentication,
    BotFrameworkAuthenticationFactory,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.auth._built_in_bot_framework_authentication import _BuiltinBotFrameworkAuthentication
from botframework.connector.skills import BotFrameworkClient

from bot.auth.config import AuthConfig
from bot.auth.errors import AuthenticationError, KeySetUnavailable
from bot.auth.keys import KeySetRegistry
from bot.auth.patches import signing_keys_from
from bot.connector.client import BotConnectorClient
from bot.connector.credentials import MULTI_TENANT, EdgeCredentialsFactory
from bot.connector.integration import EdgeConnectorFactory

log = logging.getLogger(__name__)

VALIDATED_TOKEN_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class _Validated:
    expires_at: float
    claims: dict[str, Any]
    authentication_type: str | None
    audience: str | None
    caller_id: str | None


def _reason(error: Exception) -> str:
    if isinstance(error, jwt.ExpiredSignatureError):
        return "token expired"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "token not yet valid"
    if isinstance(error, jwt.InvalidSignatureError):
        return "token signature does not verify"
    if isinstance(error, jwt.DecodeError):
        return "token is not a well-formed JWT"
    if isinstance(error, jwt.PyJWTError):
        return f"invalid token: {error}"
    if isinstance(error, PermissionError):
        return " ".join(str(part) for part in error.args) or "not authorized"
    return f"token rejected ({type(error).__name__}: {error})"


class EdgeBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Validation by botbuilder, failures as 401, outbound calls through our connector.

    Args:
        config: the resolved authentication settings.
        credentials: our credentials factory (botbuilder's validation asks it which app id is ours).
        connector: the REST client replies go through.
        key_sets: where signing keys come from.
        http_client_factory: for botbuilder's skill client.
    """

    def __init__(
        self,
        config: AuthConfig,
        *,
        credentials: EdgeCredentialsFactory,
        connector: BotConnectorClient,
        key_sets: KeySetRegistry,
        http_client_factory: HttpClientFactory,
        validated_token_cache_size: int | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._validated_tokens: OrderedDict[tuple[str, str, str], _Validated] = OrderedDict()
        self._cache_size = (
            VALIDATED_TOKEN_CACHE_SIZE if validated_token_cache_size is None else validated_token_cache_size
        )
        self._wall_clock = wall_clock
        self.full_validations = 0
        self._credentials = credentials
        self._connector = connector
        self._key_sets = key_sets
        # botbuilder annotates optional parameters and attributes `str = None` and means `str | None`: the
        # cast(str, ...) calls in this class pass None on where botbuilder accepts it, as before.
        tenant = config.tenant_id if config.app_type != MULTI_TENANT else None
        auth_configuration = AuthenticationConfiguration(tenant_id=cast(str, tenant))
        if config.alternate_endpoints:
            self._inner = BotFrameworkAuthenticationFactory.create(
                validate_authority=config.validate_authority,
                to_channel_from_bot_login_url=cast(str, config.login_url),
                to_channel_from_bot_oauth_scope=config.oauth_scope,
                to_bot_from_channel_token_issuer=config.channel_token_issuer,
                oauth_url=config.oauth_url,
                to_bot_from_channel_open_id_metadata_url=config.channel_openid_metadata_url,
                to_bot_from_emulator_open_id_metadata_url=config.emulator_openid_metadata_url,
                credential_factory=credentials,
                auth_configuration=auth_configuration,
                http_client_factory=http_client_factory,
            )
        else:
            self._inner = BotFrameworkAuthenticationFactory.create(
                validate_authority=config.validate_authority,
                credential_factory=credentials,
                auth_configuration=auth_configuration,
                http_client_factory=http_client_factory,
            )
        self._factories: dict[str, EdgeConnectorFactory] = {}

    # -- inbound -------------------------------------------------------------------------------------------

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        """Validate one inbound request; raises AuthenticationError (401) or KeySetUnavailable (503)."""
        if not self._config.enabled:
            auth_header = ""
        elif not auth_header:
            raise AuthenticationError("no Authorization header")
        key = (auth_header, activity.channel_id or "", activity.service_url or "")
        remembered = self._validated_tokens.get(key) if auth_header else None
        if remembered is not None and self._wall_clock() < remembered.expires_at:
            self._validated_tokens.move_to_end(key)
            result = AuthenticateRequestResult()
            result.claims_identity = ClaimsIdentity(
                dict(remembered.claims), True, cast(str, remembered.authentication_type)
            )
            result.audience = cast(str, remembered.audience)
            result.caller_id = cast(str, remembered.caller_id)
        else:
            self.full_validations += 1
            result = await self._validated(self._inner.authenticate_request(activity, cast(str, auth_header or None)))
            if auth_header:
                self._remember(key, result)
        result.connector_factory = self.create_connector_factory(result.claims_identity)
        return result

    def _remember(self, key: tuple[str, str, str], result: AuthenticateRequestResult) -> None:
        expires = result.claims_identity.claims.get("exp") if result.claims_identity else None
        if self._cache_size <= 0 or not isinstance(expires, (int, float)):
            return
        identity = result.claims_identity
        self._validated_tokens[key] = _Validated(
            float(expires), dict(identity.claims), identity.authentication_type, result.audience, result.caller_id
        )
        if len(self._validated_tokens) > self._cache_size:
            self._validated_tokens.popitem(last=False)

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._validated(self._inner.authenticate_streaming_request(auth_header, channel_id_header))

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._validated(self._inner.authenticate_channel_request(auth_header))

    async def _validated(self, validation: Awaitable[Any]) -> Any:
        try:
            with signing_keys_from(self._key_sets):
                return await validation
        except (AuthenticationError, KeySetUnavailable):
            raise
        except Exception as error:  # any failure to validate means "not authenticated"
            raise AuthenticationError(_reason(error)) from error

    # -- outbound ------------------------------------------------------------------------------------------

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        app_id = _BuiltinBotFrameworkAuthentication.get_app_id(claims_identity) or ""
        if not self._config.enabled:
            app_id = ""
        factory = self._factories.get(app_id)
        if factory is None:
            factory = EdgeConnectorFactory(self._connector, self._credentials, app_id, self._config.oauth_scope)
            self._factories[app_id] = factory
        return factory

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return _LazyUserTokenClient(lambda: self._inner.create_user_token_client(claims_identity))

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._config.oauth_scope


class _LazyUserTokenClient(UserTokenClient):
    """Builds botbuilder's user-token client (an msrest ``TokenApiClient``) only when a turn uses OAuth."""

    def __init__(self, build: Callable[[], Awaitable[UserTokenClient]]) -> None:
        super().__init__()
        self._build = build
        self._client: UserTokenClient | None = None

    async def _real(self) -> UserTokenClient:
        if self._client is None:
            self._client = await self._build()
        return self._client

    async def get_user_token(self, user_id: str, connection_name: str, channel_id: str, magic_code: str) -> Any:
        return await (await self._real()).get_user_token(user_id, connection_name, channel_id, magic_code)

    async def get_sign_in_resource(self, connection_name: str, activity: Activity, final_redirect: str) -> Any:
        return await (await self._real()).get_sign_in_resource(connection_name, activity, final_redirect)

    async def sign_out_user(self, user_id: str, connection_name: str, channel_id: str) -> Any:
        return await (await self._real()).sign_out_user(user_id, connection_name, channel_id)

    async def get_token_status(self, user_id: str, channel_id: str, include_filter: str) -> Any:
        return await (await self._real()).get_token_status(user_id, channel_id, include_filter)

    async def get_aad_tokens(
        self, user_id: str, connection_name: str, resource_urls: list[str], channel_id: str
    ) -> Any:
        return await (await self._real()).get_aad_tokens(user_id, connection_name, resource_urls, channel_id)

    async def exchange_token(self, user_id: str, connection_name: str, channel_id: str, exchange_request: Any) -> Any:
        return await (await self._real()).exchange_token(user_id, connection_name, channel_id, exchange_request)
