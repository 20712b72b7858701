"""The one aiohttp client session every outbound call of the bot goes through.

Replies, updates, proactive sends, member look-ups, access-token requests and signing-key downloads all share
one ``aiohttp.ClientSession``, so TCP and TLS connections to the Bot Connector and to the identity provider
are kept alive and reused instead of being opened per reply (the stock client uses ``requests`` in a thread
pool with a new connection per reply).
"""

from __future__ import annotations

import aiohttp

from bot.connector.version import USER_AGENT


def create_client_session(
    *, limit: int = 100, limit_per_host: int = 64, keepalive_timeout: float = 60.0
) -> aiohttp.ClientSession:
    """A client session tuned for the Bot Connector: keep-alive, a bounded pool, no per-request setup.

    Call it inside the running event loop (for example in the aiohttp app's startup) and close it at
    shutdown. ``limit_per_host`` bounds concurrent requests to one connector host (Teams answers 429 long
    before 64 parallel sends to one tenant would matter).
    """
    connector = aiohttp.TCPConnector(
        limit=limit, limit_per_host=limit_per_host, keepalive_timeout=keepalive_timeout, ttl_dns_cache=300
    )
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT})


class SessionHolder:
    """Gives out the shared session, creating (and later closing) one only if none was handed in.

    The adapter can be built before the event loop runs; the session is created on first use, inside the
    loop. A session passed in by the caller belongs to the caller and is never closed here.
    """

    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self._session = session
        self._owned = session is None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or (self._owned and self._session.closed):
            self._session = create_client_session()
        return self._session

    @property
    def created(self) -> bool:
        return self._session is not None

    async def close(self) -> None:
        if self._owned and self._session is not None and not self._session.closed:
            await self._session.close()
