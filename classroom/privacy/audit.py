"""The audit log: every privileged action, written by the service that performs it inside its own transaction (so
an action and its entry commit together, or neither does). The only writer of ``audit_entries``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.personal_data import ERASED_NAME, Erasure
from classroom.text import bounded, storable
from storage.models import AuditEntry

MAX_NAME = 200
MAX_WHERE = 512
CLI = "cli"  # where: the command line (a catalogue import, a purge)
SYSTEM = "system"  # where: the bot itself (start-up, a periodic job)


@dataclass(frozen=True)
class Actor:
    """Who acted (None: the system or the command line) and where (a conversation id, ``cli`` or ``system``)."""

    aad_object_id: str | None
    name: str = ""
    where: str = SYSTEM


def record_audit(
    session: AsyncSession,
    at: datetime,
    action: str,
    actor: Actor,
    *,
    subject_aad_object_id: str | None = None,
    subject_name: str = "",
    **details: Any,
) -> None:
    """Record one action in the caller's transaction (added to the session: it is written with the action's own
    changes, or not at all). ``action`` is ``<feature>.<verb>`` (``admin.grant``)."""
    session.add(
        AuditEntry(
            at=at,
            action=action[:40],
            actor_aad_object_id=actor.aad_object_id,
            actor_name=bounded(storable(actor.name), MAX_NAME),
            subject_aad_object_id=subject_aad_object_id,
            subject_name=bounded(storable(subject_name), MAX_NAME),
            where=actor.where[:MAX_WHERE],
            details=details,
        )
    )


async def named_actor(session: AsyncSession, aad_object_id: str | None, where: str) -> Actor:
    """The actor with their stored name (the services that act know people by Entra object id only)."""
    from classroom.people import find_person  # here: people is below privacy, but keeps this module light

    person = await find_person(session, aad_object_id) if aad_object_id else None
    return Actor(aad_object_id, person.name if person else "", where)


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    action: str
    actor_name: str
    subject_name: str
    where: str
    details: dict[str, Any]


async def audit_entries(
    session: AsyncSession,
    *,
    person_aad_object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 30,
) -> list[AuditRecord]:
    """The newest entries first, by or about one person, within a time window."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if person_aad_object_id:
        query = query.where(
            or_(
                AuditEntry.actor_aad_object_id == person_aad_object_id,
                AuditEntry.subject_aad_object_id == person_aad_object_id,
            )
        )
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return [
        AuditRecord(e.at, e.action, e.actor_name, e.subject_name, e.where, dict(e.details or {}))
        for e in (await session.scalars(query)).all()
    ]


async def entries_about(session: AsyncSession, aad_object_id: str) -> list[AuditEntry]:
    rows = await session.scalars(
        select(AuditEntry)
        .where(or_(AuditEntry.actor_aad_object_id == aad_object_id, AuditEntry.subject_aad_object_id == aad_object_id))
        .order_by(AuditEntry.at)
    )
    return list(rows.all())


async def pseudonymise(session: AsyncSession, erasure: Erasure) -> int:
    """Keep the log, but say "an erased person" where it named them (and drop their words from its details)."""
    aad = erasure.subject.aad_object_id
    about = await session.execute(
        update(AuditEntry)
        .where(AuditEntry.subject_aad_object_id == aad)
        .values(subject_aad_object_id=erasure.pseudonym, subject_name=ERASED_NAME)
    )
    by = await session.execute(
        update(AuditEntry)
        .where(AuditEntry.actor_aad_object_id == aad)
        .values(actor_aad_object_id=erasure.pseudonym, actor_name=ERASED_NAME)
    )
    cleaned = 0
    for entry in (await session.scalars(select(AuditEntry))).all():
        if erasure.mentions(entry.details or {}) or erasure.mentions(entry.where):
            entry.details = erasure.scrubbed(entry.details or {})
            entry.where = "" if erasure.mentions(entry.where) else entry.where
            cleaned += 1
    return int(about.rowcount) + int(by.rowcount) + cleaned  # type: ignore[attr-defined]


async def purge_audit(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(AuditEntry).where(AuditEntry.at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
