"""The secret in an expiring download link: 256 random bits in the URL, only their SHA-256 in the database (a copy
of the database yields no working link), and a shape check so malformed tokens never reach a query."""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_SHAPE.match(token))
