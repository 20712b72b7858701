"""The one patch we apply to botbuilder: where its token validation gets signing keys from.

botbuilder 4.17.1's ``JwtTokenExtractor`` looks up signing keys through the static method
``JwtTokenExtractor.get_open_id_metadata(url)``, which returns a process-wide ``_OpenIdMetadata`` that
downloads with ``requests`` on the event-loop thread and cannot refresh on an unknown key (see
:mod:`bot.auth.keys`). botbuilder offers no extension point for this, so we replace that one static method:
while an adapter validates a request, inside :func:`signing_keys_from`, it returns the adapter's own
:class:`~bot.auth.keys.SigningKeySet`; everywhere else it behaves exactly as before. Everything else about
validation — issuers, audience, endorsements, expiry with botbuilder's 5-minute leeway, the service-URL claim —
is botbuilder's own code, unchanged.

``tests/bot/test_patches.py`` fails loudly if botbuilder's version or the source of any function this relies on
changes, so an upgrade cannot silently bypass the patch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from bot.auth.keys import KeySetRegistry

# The upstream functions this patch relies on; test_patches.py pins the sha256 of each one's source.
PATCHED = "botframework.connector.auth.jwt_token_extractor.JwtTokenExtractor.get_open_id_metadata"
RELIED_ON = (
    "botframework.connector.auth.jwt_token_extractor.JwtTokenExtractor.__init__",
    "botframework.connector.auth.jwt_token_extractor.JwtTokenExtractor._validate_token",
    PATCHED,
)

_active_registry: ContextVar[KeySetRegistry | None] = ContextVar("bot_auth_key_sets", default=None)
_original_get_open_id_metadata = JwtTokenExtractor.__dict__["get_open_id_metadata"].__func__


def _get_open_id_metadata(metadata_url: str) -> Any:
    registry = _active_registry.get()
    if registry is None:
        return _original_get_open_id_metadata(metadata_url)
    return registry.get(metadata_url)


def install() -> None:
    """Route botbuilder's key lookups through :func:`signing_keys_from` (idempotent)."""
    JwtTokenExtractor.get_open_id_metadata = staticmethod(_get_open_id_metadata)  # type: ignore[method-assign]


def installed() -> bool:
    return JwtTokenExtractor.__dict__["get_open_id_metadata"].__func__ is _get_open_id_metadata


@contextmanager
def signing_keys_from(registry: KeySetRegistry) -> Iterator[None]:
    """Within this block (and the tasks it awaits), botbuilder validates tokens against ``registry``."""
    if not installed():
        install()
    token = _active_registry.set(registry)
    try:
        yield
    finally:
        _active_registry.reset(token)
