"""App credentials for outbound calls, plugged into botbuilder as its ``ServiceClientCredentialsFactory``.

botbuilder asks the factory for credentials on every turn (``create_credentials(app_id, scope, login_endpoint,
validate_authority)``); the stock factories build new ``MicrosoftAppCredentials`` (and so a new MSAL client
with an empty cache) each time. :class:`EdgeCredentialsFactory` hands out one :class:`EdgeAppCredentials` per
app id, scope and authority for the life of the process, each backed by an :class:`AccessTokenCache`.

``VALIDATE_AUTHORITY`` is honoured here (the stock code never passes it on to MSAL): when true, the login
authority must be https on a host Microsoft's identity platform knows (MSAL's own list of well-known
authority hosts), which is what MSAL's authority validation enforces; when false, any authority is accepted,
including plain http, which is how government/private clouds and the offline test identity provider work.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    GovernmentConstants,
    ServiceClientCredentialsFactory,
)
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS

from bot.connector.session import SessionHolder
from bot.connector.tokens import (
    DEFAULT_REFRESH_MARGIN_SECONDS,
    DEFAULT_TOKEN_TIMEOUT_SECONDS,
    AccessTokenCache,
    ClientSecretTokenSource,
    ManagedIdentityTokenSource,
    TokenSource,
)

MULTI_TENANT = "MultiTenant"
SINGLE_TENANT = "SingleTenant"
USER_ASSIGNED_MSI = "UserAssignedMSI"
APP_TYPES = (MULTI_TENANT, SINGLE_TENANT, USER_ASSIGNED_MSI)

_KNOWN_LOGIN_PREFIXES = (
    (AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX, AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT),
    (GovernmentConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX, GovernmentConstants.DEFAULT_CHANNEL_AUTH_TENANT),
)


def resolve_authority(login_endpoint: str | None, *, app_type: str, tenant_id: str | None) -> str:
    """The authority to request tokens from, following botbuilder's rules.

    On the public and US-government login hosts the tenant comes from the app type (the app's own tenant for
    SingleTenant, the Bot Framework's tenant otherwise), whatever tenant the configured URL names; any other
    login URL (a private cloud, the test identity provider) is used as the authority verbatim.
    """
    endpoint = login_endpoint or AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
    lowered = endpoint.lower()
    for prefix, default_tenant in _KNOWN_LOGIN_PREFIXES:
        if lowered.startswith(prefix):
            tenant = tenant_id if app_type == SINGLE_TENANT and tenant_id else default_tenant
            return prefix + tenant
    return endpoint.rstrip("/")


def check_authority(authority: str, *, validate_authority: bool) -> None:
    """Raise ValueError for an authority MSAL's validation would refuse (only when validating)."""
    parts = urlsplit(authority)
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"login URL {authority!r} is not an absolute URL")
    if not validate_authority:
        return
    if parts.scheme != "https":
        raise ValueError(f"login URL {authority!r} is not https; set VALIDATE_AUTHORITY=false to allow it")
    if parts.hostname not in WELL_KNOWN_AUTHORITY_HOSTS:
        raise ValueError(
            f"login host {parts.hostname!r} is not a known Microsoft identity platform host; "
            "set VALIDATE_AUTHORITY=false for a private cloud"
        )


class EdgeAppCredentials(AppCredentials):
    """msrest ``Authentication`` for one app id and scope, backed by a shared token cache.

    botbuilder's synchronous msrest clients call :meth:`get_access_token`/``signed_session``; our connector
    awaits :meth:`get_token`. Anonymous credentials (authentication off) have no cache and send no header.
    """

    def __init__(
        self, app_id: str, oauth_scope: str, cache: AccessTokenCache | None, authority: str | None = None
    ) -> None:
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)
        # Not "cache": AppCredentials has a class attribute of that name (a dict it never uses).
        self.token_cache = cache
        if authority:
            self.oauth_endpoint = authority

    @property
    def anonymous(self) -> bool:
        return self.token_cache is None

    async def get_token(self) -> str | None:
        """A valid access token (None when anonymous); fetched on the event loop when needed."""
        if self.token_cache is None:
            return None
        return await self.token_cache.get()

    def invalidate(self, token: str) -> None:
        if self.token_cache is not None:
            self.token_cache.invalidate(token)

    def get_access_token(self, force_refresh: bool = False) -> str:
        if self.token_cache is None:
            return ""
        return self.token_cache.get_blocking(DEFAULT_TOKEN_TIMEOUT_SECONDS)


class EdgeCredentialsFactory(ServiceClientCredentialsFactory):
    """botbuilder's credential factory, with credentials and tokens cached per app id, scope and authority.

    Args:
        app_id: the bot's Microsoft app id; empty means authentication is off.
        password: the client secret (MultiTenant, SingleTenant).
        app_type: MultiTenant, SingleTenant or UserAssignedMSI.
        tenant_id: the app's tenant (SingleTenant, UserAssignedMSI).
        login_endpoint: ``TO_CHANNEL_FROM_BOT_LOGIN_URL``; None for the public cloud.
        oauth_scope: ``TO_CHANNEL_FROM_BOT_OAUTH_SCOPE``; None for the public cloud.
        validate_authority: ``VALIDATE_AUTHORITY``.
        sessions: the shared client session.
        managed_identity_endpoint / managed_identity_header: default to the ``IDENTITY_ENDPOINT`` and
            ``IDENTITY_HEADER`` environment variables the Azure hosting platforms set.
    """

    def __init__(
        self,
        *,
        app_id: str,
        password: str = "",
        app_type: str = MULTI_TENANT,
        tenant_id: str | None = None,
        login_endpoint: str | None = None,
        oauth_scope: str | None = None,
        validate_authority: bool = True,
        sessions: SessionHolder,
        managed_identity_endpoint: str | None = None,
        managed_identity_header: str | None = None,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN_SECONDS,
        token_timeout: float = DEFAULT_TOKEN_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if app_type not in APP_TYPES:
            raise ValueError(f"MICROSOFT_APP_TYPE must be one of {', '.join(APP_TYPES)}, not {app_type!r}")
        self.app_id = app_id or ""
        self._password = password or ""
        self.app_type = app_type
        self.tenant_id = tenant_id or None
        self.login_endpoint = login_endpoint or None
        self.oauth_scope = oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        self.validate_authority = validate_authority
        self._sessions = sessions
        self._msi_endpoint = managed_identity_endpoint or os.environ.get("IDENTITY_ENDPOINT") or None
        self._msi_header = managed_identity_header or os.environ.get("IDENTITY_HEADER") or None
        self._refresh_margin = refresh_margin
        self._token_timeout = token_timeout
        self._clock = clock
        self._credentials: dict[tuple[str, str, str], EdgeAppCredentials] = {}
        self._anonymous = EdgeAppCredentials("", self.oauth_scope, None)
        self._check_configuration()

    def _check_configuration(self) -> None:
        if not self.app_id:
            return
        if self.app_type in (SINGLE_TENANT, USER_ASSIGNED_MSI) and not self.tenant_id:
            raise ValueError(f"MICROSOFT_APP_TENANT_ID is required for MICROSOFT_APP_TYPE={self.app_type}")
        if self.app_type != USER_ASSIGNED_MSI:
            if not self._password:
                raise ValueError(f"MICROSOFT_APP_PASSWORD is required for MICROSOFT_APP_TYPE={self.app_type}")
            check_authority(self.authority_for(self.login_endpoint), validate_authority=self.validate_authority)

    def authority_for(self, login_endpoint: str | None) -> str:
        return resolve_authority(
            login_endpoint or self.login_endpoint, app_type=self.app_type, tenant_id=self.tenant_id
        )

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(app_id) and app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return not self.app_id

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> EdgeAppCredentials:
        """Cached credentials for ``app_id``; ``validate_authority`` is taken from our settings instead.

        botbuilder's built-in clouds always pass ``True`` here, whatever ``VALIDATE_AUTHORITY`` says.
        """
        return self.credentials(app_id, oauth_scope, login_endpoint)

    def credentials(
        self, app_id: str | None, oauth_scope: str | None = None, login_endpoint: str | None = None
    ) -> EdgeAppCredentials:
        if not self.app_id:
            return self._anonymous
        if app_id != self.app_id:
            raise PermissionError(f"no credentials for app id {app_id!r}")
        scope = oauth_scope or self.oauth_scope
        authority = "" if self.app_type == USER_ASSIGNED_MSI else self.authority_for(login_endpoint)
        key = (app_id, scope, authority)
        credentials = self._credentials.get(key)
        if credentials is None:
            if authority:
                check_authority(authority, validate_authority=self.validate_authority)
            cache = AccessTokenCache(
                self._token_source(scope, authority),
                self._sessions,
                refresh_margin=self._refresh_margin,
                clock=self._clock,
            )
            credentials = EdgeAppCredentials(app_id, scope, cache, authority or None)
            self._credentials[key] = credentials
        return credentials

    def _token_source(self, scope: str, authority: str) -> TokenSource:
        if self.app_type == USER_ASSIGNED_MSI:
            return ManagedIdentityTokenSource(
                client_id=self.app_id,
                resource=scope,
                endpoint=self._msi_endpoint,
                identity_header=self._msi_header,
                timeout=self._token_timeout,
            )
        return ClientSecretTokenSource(
            client_id=self.app_id,
            client_secret=self._password,
            authority=authority,
            scope=scope,
            timeout=self._token_timeout,
        )

    def token_fetch_count(self) -> int:
        """How many token requests all cached credentials have sent (for tests and benchmarks)."""
        return sum(c.token_cache.fetch_count for c in self._credentials.values() if c.token_cache is not None)
