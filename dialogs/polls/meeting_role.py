"""In a meeting chat, launching or closing a poll also needs the meeting's Organizer or Presenter role.

The stored roles (the run's trainers, coordinators) are checked by the poll service as everywhere; in a chat that
belongs to a Teams meeting (``channelData.meeting.id``) the person must also run the meeting, asked of Teams at
that moment through ``Services.meeting_roles`` (never cached: the organiser can change roles mid-meeting). When
Teams cannot say, the answer is a refusal that says why, unless ``MEETING_ROLE_FALLBACK`` lets the stored roles
decide alone. Launch and close both call :func:`meeting_role_refusal` before they change anything.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext

from dialogs.meeting_participants import MeetingRoleUnavailable, meeting_chat
from dialogs.sender import sender_aad_object_id
from dialogs.services import Services

log = logging.getLogger(__name__)


def not_running_the_meeting(what: str) -> str:
    return (
        f"Sorry, in a meeting only its organizer and presenters can {what}, and Teams doesn't list you as either. "
        "Nothing was changed."
    )


def teams_cannot_say(what: str, reason: str) -> str:
    return (
        f"Sorry, I can't {what} right now: in a meeting I check with Teams that you are its organizer or a "
        f"presenter, and {reason}. Nothing was changed; please try again in a moment."
    )


async def meeting_role_refusal(services: Services, turn_context: TurnContext, what: str) -> str | None:
    """Why this person may not ``what`` (e.g. "close this poll") in this meeting chat; None: no objection here
    (not a meeting chat, or Teams lists them as Organizer or Presenter, or Teams could not say and the fallback
    to stored roles is on)."""
    aad_object_id = sender_aad_object_id(turn_context)
    roles = services.meeting_roles
    try:
        meeting = meeting_chat(turn_context)
        if meeting is None:
            return None
        if not aad_object_id:
            return not_running_the_meeting(what)
        participant = await roles.participants.participant(
            turn_context, meeting.meeting_id, aad_object_id, meeting.tenant_id
        )
    except MeetingRoleUnavailable as unavailable:
        if roles.fall_back_to_stored_roles:
            log.warning("meeting role unknown (%s): the stored roles decide", unavailable.reason)
            return None
        return teams_cannot_say(what, unavailable.reason)
    return None if participant.runs_the_meeting else not_running_the_meeting(what)
