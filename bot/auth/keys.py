"""The identity provider's signing keys, downloaded on the event loop and refreshed when a new key shows up.

botbuilder's validation (``JwtTokenExtractor``) asks a metadata object for the key a token names
(``await metadata.get(kid)`` → an object with ``public_key`` and ``endorsements``). The stock object downloads
the OpenID metadata and the key set with ``requests`` on the event-loop thread, raises ``IndexError`` (→ HTTP
500) for a key it does not have, and never looks for new keys until its 24-hour cache expires.
:class:`SigningKeySet` is the replacement (wired in by :mod:`bot.auth.patches`):

- downloads with the shared aiohttp session, one download at a time however many requests wait for it;
- refreshes every ``max_age`` (24 h, as the stock cache), keeping the old keys if a refresh fails;
- for a key it does not know, refreshes once — at most once per ``unknown_key_refresh_interval`` however many
  such tokens arrive, so forged key ids cannot make us hammer the provider — then rejects the token with
  :class:`~bot.auth.errors.UnknownSigningKey` (401);
- raises :class:`~bot.auth.errors.KeySetUnavailable` (503) only when it has never obtained any keys (and,
  after a failed download, for a few seconds without trying again, so an outage is not hammered).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from jwt.algorithms import RSAAlgorithm

from bot.auth.errors import KeySetUnavailable, UnknownSigningKey
from bot.connector.session import SessionHolder

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE_SECONDS = 24 * 3600.0
DEFAULT_UNKNOWN_KEY_REFRESH_INTERVAL_SECONDS = 60.0
DEFAULT_FETCH_TIMEOUT_SECONDS = 10.0
FAILED_DOWNLOAD_BACKOFF_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One key of the set, in the shape botbuilder's ``JwtTokenExtractor`` reads."""

    key_id: str
    public_key: Any
    endorsements: list[str] = field(default_factory=list)


class SigningKeySet:
    """The keys published at one OpenID metadata URL.

    Args:
        metadata_url: the OpenID configuration document; its ``jwks_uri`` names the key set.
        sessions: the shared client session.
        clock: monotonic seconds (tests move it by hand).
    """

    def __init__(
        self,
        metadata_url: str,
        sessions: SessionHolder,
        *,
        max_age: float = DEFAULT_MAX_AGE_SECONDS,
        unknown_key_refresh_interval: float = DEFAULT_UNKNOWN_KEY_REFRESH_INTERVAL_SECONDS,
        timeout: float = DEFAULT_FETCH_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = metadata_url
        self._sessions = sessions
        self._max_age = max_age
        self._unknown_key_interval = unknown_key_refresh_interval
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._loaded_at: float | None = None
        self._last_attempt: float | None = None
        self._failed_at: float | None = None
        self._inflight: asyncio.Task[None] | None = None
        self.refresh_count = 0

    async def get(self, key_id: str | None) -> SigningKey:
        """The key named ``key_id``; raises UnknownSigningKey (401) or KeySetUnavailable (503)."""
        now = self._clock()
        if self._loaded_at is None or now - self._loaded_at >= self._max_age:
            await self._refresh_tolerating_stale_keys()
        key = self._keys.get(key_id) if key_id else None
        if key is not None:
            return key
        if not key_id:
            raise UnknownSigningKey("the token names no signing key (kid)")
        if self._last_attempt is None or self._clock() - self._last_attempt >= self._unknown_key_interval:
            log.info("token signed with unknown key %r: refreshing the key set from %s", key_id, self.url)
            await self._refresh_tolerating_stale_keys()
            key = self._keys.get(key_id)
            if key is not None:
                return key
        raise UnknownSigningKey(f"signing key {key_id!r} is not in the key set of {self.url}")

    async def _refresh_tolerating_stale_keys(self) -> None:
        try:
            await self._refresh()
        except KeySetUnavailable:
            if not self._keys:
                raise
            log.warning("could not refresh signing keys from %s; using the %d cached keys", self.url, len(self._keys))

    async def _refresh(self) -> None:
        task = self._inflight
        if task is None:
            if self._failed_at is not None and self._clock() - self._failed_at < FAILED_DOWNLOAD_BACKOFF_SECONDS:
                raise KeySetUnavailable(f"signing keys from {self.url} failed to download moments ago")
            task = asyncio.get_running_loop().create_task(self._download())
            self._inflight = task
            task.add_done_callback(self._download_done)
        await asyncio.shield(task)

    def _download_done(self, task: asyncio.Task[None]) -> None:
        if self._inflight is task:
            self._inflight = None
        if not task.cancelled():
            task.exception()  # retrieved here so an unawaited failure is not reported as "never retrieved"

    async def _download(self) -> None:
        self._last_attempt = self._clock()
        self.refresh_count += 1
        try:
            session = self._sessions.get()
            metadata = await self._get_json(session, self.url)
            jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
            if not jwks_uri:
                raise KeySetUnavailable(f"OpenID metadata at {self.url} has no jwks_uri")
            document = await self._get_json(session, jwks_uri)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            self._failed_at = self._clock()
            raise KeySetUnavailable(f"could not download signing keys from {self.url}: {error!r}") from error
        keys = _parse_keys(document)
        if not keys:
            self._failed_at = self._clock()
            raise KeySetUnavailable(f"the key set of {self.url} holds no usable keys")
        self._failed_at = None
        self._keys = keys
        self._loaded_at = self._clock()
        log.info("loaded %d signing keys from %s", len(keys), self.url)

    async def _get_json(self, session: aiohttp.ClientSession, url: str) -> Any:
        async with session.get(url, timeout=self._timeout, headers={"Accept": "application/json"}) as response:
            if response.status != 200:
                raise ValueError(f"{url} answered {response.status}")
            return json.loads(await response.read())


def _parse_keys(document: Any) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries or []:
        if not isinstance(entry, dict) or not entry.get("kid") or entry.get("kty") != "RSA":
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except Exception as error:  # noqa: BLE001 - one malformed key must not hide the others
            log.warning("skipping unreadable signing key %r: %s", entry.get("kid"), error)
            continue
        endorsements = [str(e) for e in entry.get("endorsements") or []]
        keys[str(entry["kid"])] = SigningKey(str(entry["kid"]), public_key, endorsements)
    return keys


class KeySetRegistry:
    """One :class:`SigningKeySet` per metadata URL, for one adapter (so tests and apps never share caches)."""

    def __init__(
        self,
        sessions: SessionHolder,
        *,
        clock: Callable[[], float] = time.monotonic,
        unknown_key_refresh_interval: float = DEFAULT_UNKNOWN_KEY_REFRESH_INTERVAL_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._interval = unknown_key_refresh_interval
        self._sets: dict[str, SigningKeySet] = {}

    def get(self, metadata_url: str) -> SigningKeySet:
        key_set = self._sets.get(metadata_url)
        if key_set is None:
            key_set = SigningKeySet(
                metadata_url, self._sessions, clock=self._clock, unknown_key_refresh_interval=self._interval
            )
            self._sets[metadata_url] = key_set
        return key_set

    def __iter__(self) -> Iterator[SigningKeySet]:
        return iter(self._sets.values())
