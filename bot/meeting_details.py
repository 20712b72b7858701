"""Teams' meeting details API on the bot's own connector: ``GET {serviceUrl}/v1/meetings/{meetingId}`` with the bot's
token, through the turn's connector client. Microsoft documents the answer as::

    {"details": {"id": "…", "msGraphResourceId": "…", "scheduledStartTime": "2026-12-14T10:00:00Z",
                 "scheduledEndTime": "…", "joinUrl": "https://teams.microsoft.com/l/meetup-join/…",
                 "title": "…", "type": "Scheduled"},
     "conversation": {"isGroup": true, "conversationType": "groupChat", "id": "19:meeting_…@thread.v2"},
     "organizer": {"id": "29:…", "aadObjectId": "…", "tenantId": "…"}}

403 when the app may not read the meeting, 404 once it has expired. Every answer is untrusted: bounded in size and
time, and each field checked; anything unusable is simply absent.
"""

from __future__ import annotations

import logging

from botbuilder.core import BotAdapter, TurnContext

from bot.connector import ConnectorError, ConnectorTimeout, TurnConnectorClient
from dialogs.meeting_details import MeetingDetails, MeetingDetailsUnavailable, join_url, teams_time

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
MAX_BODY_BYTES = 16 * 1024  # the documented answer is about 1 KB


class ConnectorMeetingDetails:
    """:class:`~dialogs.meeting_details.MeetingDetailsSource` on the turn's connector client."""

    def __init__(self, *, timeout: float = TIMEOUT_SECONDS, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self._timeout = timeout
        self._max_body_bytes = max_body_bytes

    async def details(self, turn_context: TurnContext, meeting_id: str) -> MeetingDetails:
        client = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if not isinstance(client, TurnConnectorClient):
            raise MeetingDetailsUnavailable("no connection to Teams here")
        try:
            response = await client.connector.get_meeting_info(
                client.service_url,
                meeting_id,
                audience=client.audience,
                timeout_seconds=self._timeout,
                max_body_bytes=self._max_body_bytes,
            )
        except (ConnectorTimeout, ConnectorError) as error:
            log.warning("meeting details: %s", error)
            raise MeetingDetailsUnavailable(str(error)) from error
        if not response.ok:
            log.warning("meeting details: %s -> %s %s", response.url, response.status, response.error_code)
            raise MeetingDetailsUnavailable(f"Teams answered {response.status}")
        details = response.body.get("details") if isinstance(response.body, dict) else None
        if not isinstance(details, dict):
            raise MeetingDetailsUnavailable("Teams' answer has no details")
        return MeetingDetails(
            join_url=join_url(details.get("joinUrl")),
            scheduled_start=teams_time(details.get("scheduledStartTime")),
            scheduled_end=teams_time(details.get("scheduledEndTime")),
        )
