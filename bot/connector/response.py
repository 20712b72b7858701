"""What the Bot Connector answered: :class:`ConnectorResponse`, and :func:`parse_retry_after` for its header.

A module of its own, with no imports from the rest of the package, so that both the client that builds these
answers and the errors that carry them (:class:`~bot.connector.errors.ConnectorHTTPError`) can depend on it.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Any

RETRYABLE_STATUSES = frozenset({412, 429, 502, 503, 504})
CONVERSATION_UNAVAILABLE_STATUSES = frozenset({403, 404})


@dataclass(frozen=True, slots=True)
class ConnectorResponse:
    """One answer of the Bot Connector.

    Attributes:
        method, url: the request, for logs.
        status: the HTTP status.
        body: the parsed JSON body; None when empty; the raw text when it was not JSON.
        retry_after: ``Retry-After`` in seconds (from delta-seconds or an HTTP date), None when absent.
    """

    method: str
    url: str
    status: int
    body: Any = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def id(self) -> str | None:
        """The ``id`` of the created or updated resource (activity id, conversation id)."""
        return self.body.get("id") if isinstance(self.body, dict) else None

    @property
    def error_code(self) -> str | None:
        """``error.code`` of a Bot Framework error body (``ConversationNotFound``, ...)."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error.get("code") if isinstance(error, dict) else None

    @property
    def error_message(self) -> str | None:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error.get("message") if isinstance(error, dict) else None

    @property
    def retryable(self) -> bool:
        """429, 412, 502, 503, 504: Teams asks to try again later.

        Teams' retry rules: after a 429, wait for ``Retry-After`` when the answer has one, otherwise back off
        exponentially with jitter; 412, 502, 503 and 504 are retried the same way, with backoff. Waiting is
        the caller's job (the outbox's retry policy); this only says the request may be sent again.
        """
        return self.status in RETRYABLE_STATUSES

    @property
    def conversation_unavailable(self) -> bool:
        """403/404: usually the user removed or blocked the bot; record it, do not retry."""
        return self.status in CONVERSATION_UNAVAILABLE_STATUSES


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds (never negative); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)
