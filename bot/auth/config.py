"""The bot's identity and cloud endpoints, resolved from :class:`~bot.settings.Settings`."""

from __future__ import annotations

from dataclasses import dataclass

from botframework.connector.auth import AuthenticationConstants

from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """Authentication settings with botbuilder's meaning.

    When any alternate-cloud endpoint is set, botbuilder switches to its "parameterized" mode, in which an
    unset endpoint is not defaulted (an unset token issuer rejects every token). Here every unset endpoint
    takes its public-cloud value instead, so setting only the metadata URL (for example) works as expected.
    """

    app_id: str
    password: str
    app_type: str
    tenant_id: str | None
    validate_authority: bool
    alternate_endpoints: bool
    channel_openid_metadata_url: str
    channel_token_issuer: str
    emulator_openid_metadata_url: str
    login_url: str | None
    oauth_scope: str
    oauth_url: str

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        alternate = any(
            (
                settings.to_bot_from_channel_openid_metadata_url,
                settings.to_bot_from_channel_token_issuer,
                settings.to_channel_from_bot_login_url,
                settings.to_channel_from_bot_oauth_scope,
                settings.oauth_url,
            )
        )
        return cls(
            app_id=settings.microsoft_app_id,
            password=settings.microsoft_app_password,
            app_type=settings.microsoft_app_type.value,
            tenant_id=settings.microsoft_app_tenant_id or None,
            validate_authority=settings.validate_authority,
            alternate_endpoints=alternate,
            channel_openid_metadata_url=(
                settings.to_bot_from_channel_openid_metadata_url
                or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
            ),
            channel_token_issuer=(
                settings.to_bot_from_channel_token_issuer or AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
            ),
            emulator_openid_metadata_url=AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
            login_url=settings.to_channel_from_bot_login_url or None,
            oauth_scope=(
                settings.to_channel_from_bot_oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
            ),
            oauth_url=settings.oauth_url or AuthenticationConstants.OAUTH_URL,
        )

    def describe(self) -> str:
        """One log line: what is checked and where keys and tokens come from (never the secret)."""
        if not self.enabled:
            return "authentication OFF (no MICROSOFT_APP_ID): inbound requests are not verified, replies are unsigned"
        login = self.login_url or "https://login.microsoftonline.com/"
        return (
            f"authentication ON: app {self.app_id} ({self.app_type}"
            f"{', tenant ' + self.tenant_id if self.tenant_id else ''}); channel tokens from "
            f"{self.channel_token_issuer} verified with keys from {self.channel_openid_metadata_url}; "
            f"replies signed with tokens from {login} for {self.oauth_scope}; "
            f"validate_authority={self.validate_authority}"
        )
