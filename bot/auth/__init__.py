"""Inbound authentication: botbuilder's own token validation, with every failure answered 401.

- :class:`EdgeBotFrameworkAuthentication` — the ``BotFrameworkAuthentication`` our adapter runs on.
- :class:`AuthConfig` — settings resolved with botbuilder's meaning (alternate clouds, app types).
- :class:`SigningKeySet` / :class:`KeySetRegistry` — async signing keys, refreshed once on an unknown key.
- :class:`AuthenticationError` (401), :class:`UnknownSigningKey` (401), :class:`KeySetUnavailable` (503).
"""

from bot.auth.authentication import EdgeBotFrameworkAuthentication
from bot.auth.config import AuthConfig
from bot.auth.errors import AuthenticationError, KeySetUnavailable, UnknownSigningKey
from bot.auth.keys import KeySetRegistry, SigningKey, SigningKeySet

__all__ = [
    "AuthConfig",
    "AuthenticationError",
    "EdgeBotFrameworkAuthentication",
    "KeySetRegistry",
    "KeySetUnavailable",
    "SigningKey",
    "SigningKeySet",
    "UnknownSigningKey",
]
