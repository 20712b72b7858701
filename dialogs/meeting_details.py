"""A meeting's details as Teams gives them (``GET /v1/meetings/{meetingId}``): its join URL and scheduled times,
which link a meeting chat to a run when the bot is added to it. Dialogs ask through :class:`MeetingDetailsSource`;
the implementation lives on the host's floor (``bot/meeting_details.py``), tests plug in their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from botbuilder.core import TurnContext


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
