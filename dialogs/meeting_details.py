"""A meeting's details as Teams gives them (``GET /v1/meetings/{meetingId}``): its join URL and scheduled times,
which link a meeting chat to a run when the bot is added to it. Dialogs ask through :class:`MeetingDetailsSource`;
the implementation lives on the host's floor (``bot/meeting_details.py``), tests plug in their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from botbuilder.core import TurnContext

MAX_JOIN_URL = 2000
MAX_TIME_TEXT = 40


def teams_time(raw: Any) -> datetime | None:
    """An ISO 8601 time with its offset, as Teams sends them (UTC, ``…Z``) in meeting events and details; None for
    anything else, or a naive time."""
    if isinstance(raw, datetime):
        return raw.astimezone(UTC) if raw.tzinfo else None
    if not isinstance(raw, str) or not 0 < len(raw) <= MAX_TIME_TEXT:
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def join_url(raw: Any) -> str | None:
    """A meeting's join URL from Teams: https, printable and bounded, else None (it is matched, never shown)."""
    if not isinstance(raw, str):
        return None
    url = raw.strip()
    return url if 0 < len(url) <= MAX_JOIN_URL and url.startswith("https://") and url.isprintable() else None


@dataclass(frozen=True)
class MeetingDetails:
    join_url: str | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None


class MeetingDetailsUnavailable(Exception):
    """Teams did not say (no connection, 403 when the app may not read the meeting, 404 once it expired, a failure,
    an answer that cannot be read): no automatic link; ``link RUN`` still works."""


class MeetingDetailsSource(Protocol):
    async def details(self, turn_context: TurnContext, meeting_id: str) -> MeetingDetails:
        """Raises MeetingDetailsUnavailable."""
        ...


class NoMeetingDetails:
    """For hosts without a connector (a test adapter): Teams can never be asked."""

    async def details(self, turn_context: TurnContext, meeting_id: str) -> MeetingDetails:
        raise MeetingDetailsUnavailable("no connection to Teams here")
