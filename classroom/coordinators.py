"""Reaching the coordinators: their shared conversation when one is set, else each coordinator's 1:1 chat.

A coordinator chooses the shared conversation (a channel or group chat the bot is installed in) with a
command there. Notifications for coordinators are queued to it; if none is set, or the bot was removed from
it, each coordinator gets their own copy in their 1:1 chat, so nothing depends on the choice having been made.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, Integer, Select, cast, delete, literal, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import ClassroomError, InvalidInput, NotAllowed
from classroom.outbox import Notice, Queued, enqueue_many
from classroom.people import roles_of
from storage.models import ConversationRecord, DesignatedConversation, Person, PersonRole, Role
from storage.upsert import insert_or_update

log = logging.getLogger(__name__)

COORDINATORS = "coordinators"
SHARED_TARGETS = frozenset({"groupChat", "channel"})
COORDINATOR_ROLES = frozenset({Role.COORDINATOR})
_IDS_PER_QUERY = 500  # members of a large team are checked in batches, well within every database's limits


@dataclass(frozen=True)
class ChatMember:
    """Someone Teams lists as a member of a chat or team: their Entra object id (None when Teams gave none, as for
    some guests) and display name."""

    aad_object_id: str | None
    name: str


class NotOnlyCoordinators(ClassroomError):
    """The conversation has members without the coordinator role, who would see enquirers' details there."""

    def __init__(self, outsiders: list[str]) -> None:
        super().__init__(f"{len(outsiders)} member(s) of this conversation are not coordinators")
        self.outsiders = outsiders  # their display names, sorted


@dataclass(frozen=True)
class NotifiedTarget:
    """One copy of a coordinator notification: where it goes and its outbox dedupe key."""

    dedupe_key: str
    conversation_key: str | None = None
    recipient: str | None = None


async def is_coordinator(session: AsyncSession, aad_object_id: str | None) -> bool:
    return bool(await roles_of(session, aad_object_id) & COORDINATOR_ROLES)


async def set_coordinators_conversation(
    session: AsyncSession, conversation_id: str, *, by: str, now: datetime, members: Sequence[ChatMember]
) -> ConversationRecord:
    """Make ``conversation_id`` the coordinators' conversation; ``members`` are everyone Teams lists there.

    Everyone who can read the conversation will see enquirers' names, emails and messages, so every member
    must hold the coordinator role (decided from their Entra object id and the stored roles, never the name).

    Raises:
        NotAllowed: ``by`` is not a coordinator.
        InvalidInput: the bot is not installed there, or it is a 1:1 chat.
        NotOnlyCoordinators: some members are not coordinators (named in the error).
    """
    if not await is_coordinator(session, by):
        raise NotAllowed("only coordinators can choose where coordinator notifications go")
    record = await session.scalar(
        select(ConversationRecord).where(ConversationRecord.conversation_id == conversation_id)
    )
    if record is None or not record.installed:
        raise InvalidInput("I am not installed in this conversation; add me here first")
    if record.conversation_type not in SHARED_TARGETS:
        raise InvalidInput("the coordinators' conversation must be a channel or a group chat")
    outsiders = await not_coordinators(session, members)
    if outsiders:
        raise NotOnlyCoordinators(outsiders)
    await insert_or_update(
        session,
        DesignatedConversation.__table__,  # type: ignore[arg-type]
        {"purpose": COORDINATORS, "conversation_id": conversation_id, "set_by_aad_object_id": by, "set_at": now},
        ["purpose"],
        ["conversation_id", "set_by_aad_object_id", "set_at"],
    )
    return record


async def not_coordinators(session: AsyncSession, members: Sequence[ChatMember]) -> list[str]:
    """The names of the members without the coordinator role (a member Teams gave no Entra id is one)."""
    ids = sorted({m.aad_object_id for m in members if m.aad_object_id})
    coordinators: set[str] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):
        rows = await session.scalars(
            select(Person.aad_object_id)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(
                Person.aad_object_id.in_(ids[start : start + _IDS_PER_QUERY]), PersonRole.role.in_(COORDINATOR_ROLES)
            )
        )
        coordinators.update(rows)
    return sorted(m.name for m in members if m.aad_object_id not in coordinators)


async def outsiders_joined(
    session: AsyncSession, conversation_id: str, team_id: str | None, joined: Sequence[ChatMember]
) -> int:
    """People ``joined`` a conversation (or, for a channel, its team ``team_id``). When that is the coordinators'
    conversation and some of them are not coordinators, it stops being one at once (notifications go to each
    coordinator's 1:1 chat again), since they would read enquirers' details there. Returns how many of them are
    not coordinators (0: nothing changed)."""
    shared = await coordinators_conversation(session)
    if shared is None or not (
        shared.conversation_id == conversation_id or (team_id is not None and shared.team_id == team_id)
    ):
        return 0
    outsiders = len(await not_coordinators(session, joined))
    if outsiders:
        await clear_coordinators_conversation(session)
        log.warning(
            "%d member(s) without the coordinator role joined %s: no longer the coordinators' conversation",
            outsiders,
            shared.conversation_id,
        )
    return outsiders


async def clear_coordinators_conversation(session: AsyncSession) -> bool:
    """No shared conversation any more (each coordinator's 1:1 chat instead); whether one was set."""
    cleared = await session.execute(
        delete(DesignatedConversation).where(DesignatedConversation.purpose == COORDINATORS)
    )
    return bool(cleared.rowcount)  # type: ignore[attr-defined]  # a DELETE's result has a row count


async def coordinators_conversation(session: AsyncSession) -> ConversationRecord | None:
    """The shared conversation, if one is set and the bot is still installed there."""
    designated = await session.get(DesignatedConversation, COORDINATORS)
    if designated is None:
        return None
    record = await session.scalar(
        select(ConversationRecord).where(ConversationRecord.conversation_id == designated.conversation_id)
    )
    return record if record is not None and record.installed else None


async def coordinator_ids(session: AsyncSession) -> list[str]:
    """Entra object ids of everyone with the coordinator role, in a stable order."""
    rows = await session.scalars(
        select(Person.aad_object_id)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(PersonRole.role.in_(COORDINATOR_ROLES))
        .distinct()
        .order_by(Person.aad_object_id)
    )
    return list(rows)


# Where coordinator notifications go, read in one statement as rows (kind, target, person_id): the shared
# conversation (SHARED_CHAT, its id) when one is set and the bot is still installed there, and each coordinator
# (COORDINATOR, their Entra object id). ``coordinators_reach`` adds a caller's own rows of the same shape.
SHARED_CHAT, COORDINATOR = "chat", "coordinator"


def _reach_parts() -> tuple[Select[str, str, int], Select[str, str, int]]:
    no_person = cast(null(), Integer).label("person_id")
    shared = (
        select(literal(SHARED_CHAT).label("kind"), ConversationRecord.conversation_id.label("target"), no_person)
        .join(DesignatedConversation, DesignatedConversation.conversation_id == ConversationRecord.conversation_id)
        .where(DesignatedConversation.purpose == COORDINATORS, ConversationRecord.installed.is_(True))
    )
    coordinators = (
        select(literal(COORDINATOR).label("kind"), Person.aad_object_id.label("target"), no_person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(or_(*(PersonRole.role == role for role in sorted(COORDINATOR_ROLES))))
        .distinct()
    )
    return shared, coordinators


def coordinators_reach(*more: Select[str, str, int]) -> CompoundSelect[str, str, int]:
    """The statement that reads where coordinator notifications go (see ``SHARED_CHAT``), with ``more`` rows of the
    same shape; ordered by kind, then target (as ``coordinator_ids``)."""
    return union_all(*_reach_parts(), *more).order_by("kind", "target")


_REACH = coordinators_reach()  # built once: every place given up, enquiry and organisation check reads it


def targets_of(rows: Sequence[Any], dedupe_key: str) -> list[NotifiedTarget]:
    """Where a coordinator notification named ``dedupe_key`` goes, from the rows of ``coordinators_reach``: the
    shared conversation when there is one, else each coordinator; one dedupe key per copy."""
    for row in rows:
        if row.kind == SHARED_CHAT:
            return [NotifiedTarget(f"{dedupe_key}:chat", conversation_key=row.target)]
    return [
        NotifiedTarget(f"{dedupe_key}:{row.target}", recipient=row.target) for row in rows if row.kind == COORDINATOR
    ]


async def coordinator_targets(session: AsyncSession, dedupe_key: str) -> list[NotifiedTarget]:
    """Where a coordinator notification named ``dedupe_key`` goes, one dedupe key per copy (one statement)."""
    return targets_of((await session.execute(_REACH)).all(), dedupe_key)


def coordinator_copies(
    targets: Sequence[NotifiedTarget], notice: Notice, *, dedupe_key: str, due_at: datetime
) -> list[Queued]:
    """The outbox rows of a coordinator notification going to ``targets`` (``coordinator_targets``), for the caller to
    queue with its own (``enqueue_many``)."""
    if not targets:
        # Saved all the same: the digest lists it as soon as someone has the coordinator role.
        log.warning("no coordinators to notify (%s); give someone the coordinator role", dedupe_key)
    return [
        Queued(
            notice,
            due_at=due_at,
            dedupe_key=target.dedupe_key,
            conversation_key=target.conversation_key,
            recipient=target.recipient,
        )
        for target in targets
    ]


async def notify_coordinators(
    session: AsyncSession, notice: Notice, *, dedupe_key: str, due_at: datetime
) -> list[NotifiedTarget]:
    """Queue a notification for the coordinators in the caller's transaction; returns the copies queued.

    Every copy in one statement (``enqueue_many``): each coordinator's 1:1 chat gets one when no shared
    conversation is chosen, and a round trip each would grow with the team."""
    targets = await coordinator_targets(session, dedupe_key)
    await enqueue_many(session, coordinator_copies(targets, notice, dedupe_key=dedupe_key, due_at=due_at))
    return targets
