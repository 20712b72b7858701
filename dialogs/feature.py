"""``Feature``: everything a person sees of one feature, registered with the host in one line.

A feature lives in ``dialogs/<feature>/`` and exports one ``feature = Feature(...)``. The host walks its list of
features (``bot/features.py``) to build routing, ``help``, the app manifest's command lists, the renderer
registry of the outbox, the scheduler's jobs and the dispatch of Teams events, so adding a feature is its
package plus one line there. The domain stays in ``classroom/<feature>/``, reached through ``Services``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from botbuilder.dialogs import Dialog

from classroom.outbox import FreshPayload, Notice
from classroom.periodic import PeriodicJob
from classroom.privacy.personal_data import PersonalData
from dialogs.card_actions import CardActionRouter
from dialogs.cards.base import CardMessage
from dialogs.routing import CommandRequest, Router
from dialogs.sender import SentByPerson, sender_roles
from dialogs.services import Services
from storage.models import Role

N = TypeVar("N", bound=Notice)


@dataclass(frozen=True)
class Notification(Generic[N]):
    """How the outbox shows one kind of notice: ``card(notice, zone)`` when it is sent (times in ``zone``).
    ``fresh``: the payload as it is now, drawn from the database just before it is sent (a live card that
    changes too often for every change to rewrite its row); the stored payload when None."""

    notice: type[N]
    card: Callable[[N, ZoneInfo], CardMessage]
    fresh: FreshPayload | None = None

    @property
    def kind(self) -> str:
        return self.notice.KIND

    def render(self, payload: dict[str, Any], zone: ZoneInfo) -> CardMessage:
        """The card for a stored payload; a payload that does not fit raises ValueError (the row goes dead)."""
        return self.card(self.notice.from_payload(payload), zone)


@dataclass(frozen=True)
class Job:
    """A periodic job: ``run`` fires on ``cron`` (five-field crontab in the configured zone) on every replica and
    runs once per period across them all. ``name`` must never change: the database guards each period by it."""

    name: str
    cron: str
    run: PeriodicJob


@dataclass(frozen=True)
class EventRequest(SentByPerson):
    """A Teams event about the conversation (the bot added or removed, a meeting starting or ending, people joining
    or leaving it)."""

    services: Services
    scope: str
    commands: Router  # every feature's commands

    async def roles(self) -> frozenset[Role]:
        """The sender's stored roles, read when first asked for in the turn (most events never ask, and an install
        learns them in its own transaction: ``dialogs.sender.keep_sender_roles``)."""
        return await sender_roles(self.turn_context, self.services.people)


EventHandler = Callable[[EventRequest], Awaitable[None]]


@dataclass(frozen=True)
class Events:
    """What a feature does when Teams tells the bot something happened in a conversation."""

    installed: EventHandler | None = None  # the app was installed here (installationUpdate "add")
    # ``installed`` claims the activity itself (``card_actions.turn_receipt``) in the transaction of its work, as a
    # card action registered with ``claims_receipt`` does; honoured only when it is the one handler of installs.
    installed_claims_receipt: bool = False
    added: EventHandler | None = None  # the bot joined a team or chat (conversationUpdate; also after an install)
    uninstalled: EventHandler | None = None  # the bot was removed (either way): never write there again
    members_joined: EventHandler | None = None  # people joined a chat or team the bot is in (conversationUpdate)
    # Teams meeting events in a meeting chat or channel meeting (``application/vnd.microsoft.meeting…``; the
    # activity's ``value`` is the raw payload, ``channelData.meeting.id`` the meeting). They need the app's
    # resource-specific consent; Teams sends them only when someone really starts or joins the meeting.
    meeting_started: EventHandler | None = None  # meetingStart
    meeting_ended: EventHandler | None = None  # meetingEnd
    participants_joined: EventHandler | None = None  # meetingParticipantJoin
    participants_left: EventHandler | None = None  # meetingParticipantLeave


@dataclass(frozen=True)
class NotUnderstood:
    """A message that is no command: the words, and the commands it is close to (for "did you mean")."""

    request: CommandRequest
    phrase: str
    near_misses: list[str]


# Tries to make sense of a message that is no command; True when it answered.
Fallback = Callable[[NotUnderstood], Awaitable[bool]]


def _no_dialogs(_services: Services) -> Sequence[Dialog]:
    return ()


def _no_jobs(_services: Services) -> Sequence[Job]:
    return ()


@dataclass(frozen=True)
class Feature:
    """Attributes:
    name: the feature's package name (``dialogs/<name>/``, ``classroom/<name>/``).
    commands: what people type (or send with ``Action.Submit`` buttons).
    card_actions: ``Action.Execute`` buttons, by verb.
    dialogs: the multi-turn conversations its commands begin, built once with the services.
    notifications: how each of its outbox kinds is shown.
    jobs: its periodic jobs, built once with the services.
    events: what it does on Teams events.
    fallbacks: what it makes of messages no command matches (asked in feature order).
    personal_data: how it exports, erases and purges the personal data its tables hold (one per area of data;
        every table must be covered by some feature's, a test checks it).
    """

    name: str
    commands: Router = field(default_factory=Router)
    card_actions: CardActionRouter = field(default_factory=CardActionRouter)
    dialogs: Callable[[Services], Sequence[Dialog]] = _no_dialogs
    notifications: Sequence[Notification[Any]] = ()
    jobs: Callable[[Services], Sequence[Job]] = _no_jobs
    events: Events = Events()
    fallbacks: Sequence[Fallback] = ()
    personal_data: Sequence[PersonalData] = ()
