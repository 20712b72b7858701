"""Teams' meeting participant API on the bot's own connector: someone's role in a meeting, asked at that moment.

``GET {serviceUrl}/v1/meetings/{meetingId}/participants/{aadObjectId}?tenantId=…`` with the bot's token, through the
turn's connector client (the shared session, cached tokens, the turn's service URL and audience). botbuilder
4.17's ``TeamsInfo.get_meeting_participant`` calls ``/v1/meetings/{meetingId}`` instead and comes back without
a role, so it is not used. Microsoft documents the answer as::

    {"user": {"id": "29:…", "aadObjectId": "…", "name": "…", …},
     "meeting": {"role": "Organizer" | "Presenter" | "Attendee", "inMeeting": true},
     "conversation": {"id": "19:meeting_…@thread.v2", "isGroup": true, …}}

and 403 when the app may not read the meeting (typically not added to it), 404 when the meeting has expired or
the person is not in it, 401 for a bad token (the client retries once with a fresh one). Only meetings under 350
participants are served. Every answer is untrusted: bounded in size and time, and checked field by field.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import BotAdapter, TurnContext

from bot.connector import ConnectorError, ConnectorResponse, ConnectorTimeout, TurnConnectorClient
from dialogs.meeting_participants import MAX_ROLE, MeetingParticipant, MeetingRoleUnavailable

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0  # someone is waiting for their poll; Teams answers this in well under a second
MAX_BODY_BYTES = 16 * 1024  # the documented answer is under 1 KB


class ConnectorMeetingParticipants:
    """:class:`~dialogs.meeting_participants.MeetingParticipants` on the turn's connector client."""

    def __init__(self, *, timeout: float = TIMEOUT_SECONDS, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self._timeout = timeout
        self._max_body_bytes = max_body_bytes

    async def participant(
        self, turn_context: TurnContext, meeting_id: str, aad_object_id: str, tenant_id: str
    ) -> MeetingParticipant:
        client = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if not isinstance(client, TurnConnectorClient):
            raise MeetingRoleUnavailable("I have no connection to Teams here")
        try:
            response = await client.connector.get_meeting_participant(
                client.service_url,
                meeting_id,
                aad_object_id,
                tenant_id,
                audience=client.audience,
                timeout_seconds=self._timeout,
                max_body_bytes=self._max_body_bytes,
            )
        except ConnectorTimeout as error:
            log.warning("meeting role: %s", error)
            raise MeetingRoleUnavailable("Teams did not answer in time") from error
        except ConnectorError as error:
            log.warning("meeting role: %s", error)
            raise MeetingRoleUnavailable("I could not reach Teams") from error
        return parse_participant(response, aad_object_id)


def parse_participant(response: ConnectorResponse, aad_object_id: str) -> MeetingParticipant:
    """The role in Teams' answer, checked: a dict whose ``meeting.role`` is a short string and whose ``user``,
    when it names an Entra object id, names the person asked about. Raises MeetingRoleUnavailable."""
    if response.status == 403:
        log.warning("meeting role: %s -> 403 %s", response.url, response.error_code)
        raise MeetingRoleUnavailable("Teams won't tell me roles in this meeting (is the app added to the meeting?)")
    if response.status == 404:
        raise MeetingRoleUnavailable("Teams no longer knows this meeting, or doesn't list you in it")
    if not response.ok:
        log.warning("meeting role: %s -> %s %s", response.url, response.status, response.error_code)
        raise MeetingRoleUnavailable("Teams could not say just now")
    body = response.body
    meeting = body.get("meeting") if isinstance(body, dict) else None
    role = meeting.get("role") if isinstance(meeting, dict) else None
    if not isinstance(role, str) or not 0 < len(role) <= MAX_ROLE or not role.isprintable():
        log.warning("meeting role: %s answered without a usable meeting.role", response.url)
        raise MeetingRoleUnavailable("Teams' answer could not be read")
    user_id = _field(body, "user", "aadObjectId")
    if isinstance(user_id, str) and user_id.casefold() != aad_object_id.casefold():
        log.warning("meeting role: %s answered about someone else", response.url)
        raise MeetingRoleUnavailable("Teams' answer could not be read")
    in_meeting = meeting.get("inMeeting") if isinstance(meeting, dict) else None
    return MeetingParticipant(role=role, in_meeting=in_meeting is True)


def _field(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data
