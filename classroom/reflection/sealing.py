"""Sealing people's words at rest: authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256) under keys from
the settings, so a database dump or backup reveals no reflection.

``REFLECTION_KEYS`` holds one or more Fernet keys, comma separated. The first seals; every one opens
(``MultiFernet``), which is how a key is rotated: put a new key first, keep the old ones after it until
``classroom-bot``'s data has been re-sealed (``Sealer.reseal``) or has expired, then drop them.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from classroom.errors import ClassroomError, InvalidInput


class SealBroken(ClassroomError):
    """A sealed value could not be opened: tampered with, or sealed under a key no longer configured."""


def new_key() -> str:
    """A fresh random key, as ``REFLECTION_KEYS`` takes it."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(text: str) -> tuple[str, ...]:
    keys = tuple(part.strip() for part in text.split(",") if part.strip())
    for key in keys:
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as error:
            raise InvalidInput("each reflection key must be a Fernet key (32 url-safe base64-encoded bytes)") from error
    return keys


class Sealer:
    """Seals JSON-able values with the first key, opens them with any of the keys."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise InvalidInput("reflections need at least one key (REFLECTION_KEYS)")
        self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])

    def seal(self, value: Any) -> bytes:
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def open(self, sealed: bytes) -> Any:
        try:
            return json.loads(self._fernet.decrypt(bytes(sealed)))
        except InvalidToken as error:
            raise SealBroken("a sealed reflection could not be opened (wrong key, or changed)") from error

    def reseal(self, sealed: bytes) -> bytes:
        """The same value sealed under the current first key (for key rotation)."""
        try:
            return self._fernet.rotate(bytes(sealed))
        except InvalidToken as error:
            raise SealBroken("a sealed reflection could not be opened (wrong key, or changed)") from error
