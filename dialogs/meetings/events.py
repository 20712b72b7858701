"""Teams' meeting events read at the edge: the payloads are untrusted, so every field is checked and bounded, and
an event that cannot be read (no meeting id, no members, odd types) is ignored with a log line, never an error
(Teams would only redeliver it). The domain gets plain values.

Payloads as botbuilder 4.17 hands them over (``activity.value``): meeting start and end a dict with PascalCase keys
(``Id``, ``MeetingType``, ``JoinUrl``, ``Title``, ``StartTime`` / ``EndTime``); participants joining or leaving
``{"members": [{"user": {"id", "aadObjectId", "name"}, "meeting": {"role", "inMeeting"}}]}``. The meeting is
``channelData.meeting.id`` (not ``value.Id``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from classroom.meetings.events import Participant
from dialogs.cards.formatting import without_markdown
from dialogs.conversation_reference import base_conversation_id, conversation_info
from dialogs.feature import EventRequest
from dialogs.meeting_details import MeetingDetailsUnavailable, join_url, teams_time
from dialogs.meeting_participants import MAX_MEETING_ID
from storage.models import ParticipantEvent

log = logging.getLogger(__name__)

MAX_MEMBERS = 350  # Teams raises participant events for meetings up to this size
MAX_AAD_OBJECT_ID = 64
MAX_NAME = 200


def meeting_id_of(request: EventRequest) -> str | None:
    """``channelData.meeting.id``, bounded; None when the activity names no usable meeting. (The tenant, which the
    participant API needs, is not needed here.)"""
    conversation = request.turn_context.activity.conversation
    if conversation is None or not isinstance(conversation.id, str) or not conversation.id:
        return None
    channel_data = request.turn_context.activity.channel_data
    meeting = channel_data.get("meeting") if isinstance(channel_data, dict) else None
    raw = meeting.get("id") if isinstance(meeting, dict) else None
    if not isinstance(raw, str):
        return None
    meeting_id = raw.strip()
    return meeting_id if 0 < len(meeting_id) <= MAX_MEETING_ID and meeting_id.isprintable() else None


def _meeting_id(request: EventRequest) -> str | None:
    meeting_id = meeting_id_of(request)
    if meeting_id is None:
        log.info("meeting event without a usable channelData.meeting.id: ignored")
    return meeting_id


def _value(request: EventRequest) -> dict[str, Any]:
    value = request.turn_context.activity.value
    return value if isinstance(value, dict) else {}


def _activity_time(request: EventRequest) -> datetime | None:
    return teams_time(request.turn_context.activity.timestamp)


def parse_members(value: dict[str, Any]) -> list[Participant]:
    """The members named by their Entra object id (lower-cased); entries without a usable one are skipped."""
    members = value.get("members")
    if not isinstance(members, list):
        return []
    found: dict[str, Participant] = {}
    for member in members[:MAX_MEMBERS]:
        user = member.get("user") if isinstance(member, dict) else None
        if not isinstance(user, dict):
            continue
        aad = user.get("aadObjectId")
        if not isinstance(aad, str) or not 0 < len(aad.strip()) <= MAX_AAD_OBJECT_ID or not aad.isprintable():
            continue
        name = user.get("name")
        name = name.strip()[:MAX_NAME] if isinstance(name, str) and name.isprintable() else ""
        found[aad.strip().casefold()] = Participant(aad.strip().casefold(), name)
    return list(found.values())


async def added(request: EventRequest) -> None:
    """The bot was added to a chat: if it is a meeting's, ask Teams for the meeting's join URL and time and link the
    chat to the run they name. When Teams cannot say, nothing is linked (``link RUN`` still works)."""
    meeting_id = meeting_id_of(request)  # most chats are no meeting's: nothing to log of them
    if meeting_id is None:
        return
    try:
        details = await request.services.meeting_details.details(request.turn_context, meeting_id)
    except MeetingDetailsUnavailable as error:
        log.info("meeting details unavailable (%s): no automatic link", error)
        return
    if details.join_url is None:
        return
    here = conversation_info(request.turn_context.activity)
    linked = await request.services.meetings.link_meeting(here, details.join_url, at=details.scheduled_start)
    if linked is None:
        return
    await request.turn_context.send_activity(
        f"This meeting is session {linked.session_position} of {linked.session_count} of "
        f"{without_markdown(linked.course_title)} (**{linked.run_code}**), so I've linked this chat to that run: "
        "its trainers can launch polls here, and I'll keep the register when the meeting starts."
    )


async def meeting_started(request: EventRequest) -> None:
    meeting_id = _meeting_id(request)
    if meeting_id is None:
        return
    value = _value(request)
    at = teams_time(value.get("StartTime")) or _activity_time(request)
    here = conversation_info(request.turn_context.activity)
    ref = await request.services.meetings.started(here, meeting_id, join_url=join_url(value.get("JoinUrl")), at=at)
    if ref is None:
        log.info("meeting start in a chat linked to no run (or at no session's time): nothing recorded")


async def meeting_ended(request: EventRequest) -> None:
    meeting_id = _meeting_id(request)
    if meeting_id is None:
        return
    at = teams_time(_value(request).get("EndTime")) or _activity_time(request)
    here = base_conversation_id(request.turn_context.activity.conversation.id)
    await request.services.meetings.ended(here, meeting_id, at=at)


async def _moved(request: EventRequest, kind: ParticipantEvent) -> None:
    meeting_id = _meeting_id(request)
    if meeting_id is None:
        return
    people = parse_members(_value(request))
    if not people:
        log.info("meeting participant event without members: ignored")
        return
    here = base_conversation_id(request.turn_context.activity.conversation.id)
    await request.services.meetings.participants(here, meeting_id, kind, people, at=_activity_time(request))


async def participants_joined(request: EventRequest) -> None:
    await _moved(request, ParticipantEvent.JOIN)


async def participants_left(request: EventRequest) -> None:
    await _moved(request, ParticipantEvent.LEAVE)
