"""Under which key a vote is stored: one answer per person per poll, without knowing who for anonymous polls.

A named poll keys votes by the voter's Entra object id. An anonymous poll keys them by HMAC-SHA256 of that id
under a random key of the poll's own (``polls.hmac_key``): the database holds no voter id, and while the poll is
open the same person always gets the same key, so the unique key (poll, voter_key) still allows one answer each.
When the poll closes its key and every such hash are set to NULL, after which nobody, not even someone holding
the database, can tell whose an answer was.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HMAC_KEY_BYTES = 32


def new_hmac_key() -> bytes:
    return secrets.token_bytes(HMAC_KEY_BYTES)


def anonymous_voter_key(hmac_key: bytes, aad_object_id: str) -> str:
    """64 hex characters; the same for one person within one poll, unlinkable without the poll's key."""
    return hmac.new(hmac_key, aad_object_id.encode("utf-8"), hashlib.sha256).hexdigest()


def voter_key(aad_object_id: str, *, anonymous: bool, hmac_key: bytes | None) -> str:
    if not anonymous:
        return aad_object_id
    if hmac_key is None:
        raise ValueError("an anonymous poll without its key is closed: no vote can be keyed")
    return anonymous_voter_key(hmac_key, aad_object_id)
