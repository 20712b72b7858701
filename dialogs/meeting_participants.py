"""Someone's role in the Teams meeting a chat belongs to (Organizer, Presenter, Attendee), asked of Teams.

Dialogs ask through :class:`MeetingParticipants`, a small abstraction whose implementation lives on the host's
floor (``bot/meeting_participants.py``: Teams' documented ``GET /v1/meetings/{meetingId}/participants/{id}`` on
the bot's connector); tests plug in their own. The answer is never cached: an organiser can change roles during
the meeting. :class:`MeetingRoles` adds the policy for when Teams cannot answer (``MEETING_ROLE_FALLBACK``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from botbuilder.core import TurnContext

MAX_MEETING_ID = 512  # base64 of Teams' meeting thread ids is about 150 characters; far longer is not one
MAX_TENANT_ID = 64
MAX_ROLE = 32

# The roles that run a meeting. Teams' meeting participant API answers Organizer, Presenter or Attendee; Graph's
# meeting roles also name co-organisers, who have the organiser's rights in a meeting.
RUNS_THE_MEETING = frozenset({"organizer", "coorganizer", "presenter"})


@dataclass(frozen=True)
class MeetingParticipant:
    """What Teams says of one person in one meeting."""

    role: str  # as Teams spells it: "Organizer", "Presenter", "Attendee" (bounded, never shown as markdown)
    in_meeting: bool

    @property
    def runs_the_meeting(self) -> bool:
        return self.role.casefold() in RUNS_THE_MEETING


class MeetingRoleUnavailable(Exception):
    """Teams did not say what the person's role is; ``reason`` says why in words for them (no status codes)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MeetingParticipants(Protocol):
    async def participant(
        self, turn_context: TurnContext, meeting_id: str, aad_object_id: str, tenant_id: str
    ) -> MeetingParticipant:
        """The person's role in the meeting, asked of Teams now. Raises MeetingRoleUnavailable."""
        ...


class NoMeetingParticipants:
    """For hosts without a connector (a test adapter): Teams can never be asked."""

    async def participant(
        self, turn_context: TurnContext, meeting_id: str, aad_object_id: str, tenant_id: str
    ) -> MeetingParticipant:
        raise MeetingRoleUnavailable("I have no connection to Teams here")


@dataclass(frozen=True)
class MeetingRoles:
    """Attributes:
    participants: where roles come from.
    fall_back_to_stored_roles: when Teams cannot answer, let the stored roles decide alone
        (``MEETING_ROLE_FALLBACK``); otherwise refuse, saying why.
    """

    participants: MeetingParticipants
    fall_back_to_stored_roles: bool = False


@dataclass(frozen=True)
class MeetingChat:
    meeting_id: str
    tenant_id: str


def _bounded_id(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= limit and value.isprintable() else None


def _field(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def meeting_chat(turn_context: TurnContext) -> MeetingChat | None:
    """The meeting this activity's chat belongs to (``channelData.meeting.id``, tenant from ``channelData.tenant``);
    None when it is no meeting chat. Raises MeetingRoleUnavailable when it names a meeting with unusable ids."""
    activity = turn_context.activity
    channel_data = activity.channel_data
    raw_meeting = _field(channel_data, "meeting", "id")
    if raw_meeting is None:
        return None
    meeting_id = _bounded_id(raw_meeting, MAX_MEETING_ID)
    tenant_id = _bounded_id(_field(channel_data, "tenant", "id"), MAX_TENANT_ID)
    if tenant_id is None and activity.conversation is not None:
        tenant_id = _bounded_id(getattr(activity.conversation, "tenant_id", None), MAX_TENANT_ID)
    if meeting_id is None or tenant_id is None:
        raise MeetingRoleUnavailable("Teams sent this meeting chat's message without a usable meeting or tenant id")
    return MeetingChat(meeting_id, tenant_id)
