"""The personal data of the host's own tables, which belong to no one feature: people and their roles, dialog state,
activity receipts and the periodic jobs' claims."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.personal_data import ERASED_NAME, Erasure, PersonalData, Retention, Section, Subject
from classroom.privacy.retention import DIALOG_STATE
from storage.models import BotStateRecord, ConversationRecord, Enrolment, Organisation, Person, PersonRole


class PeopleData(PersonalData):
    """Someone's profile (name, email, organisation) and roles. A person with bookings is kept as an anonymous row
    (the bookings point at it); anyone else's row is deleted. Runs last: other features find rows through it."""

    tables: ClassVar = {
        "people": frozenset(
            {"aad_object_id", "name", "email", "organisation_id", "organisation_status", "organisation_confirmed_at"}
        ),
        "person_roles": frozenset({"person_id", "role"}),
    }
    not_personal: ClassVar = {"people": frozenset({"organisation_confirmed_by_person_id"})}
    erase_order: ClassVar = 100

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        if subject.person_id is None:
            return None
        person = await session.get(Person, subject.person_id)
        if person is None:
            return None
        organisation = await session.get(Organisation, person.organisation_id) if person.organisation_id else None
        roles = sorted(r.value for r in person.role_set)
        lines = [f"Name: {person.name or '(none)'}", f"Email: {person.email or '(none)'}"]
        if organisation is not None:
            status = person.organisation_status.value if person.organisation_status else "unknown"
            lines.append(f"Organisation: {organisation.name} ({status})")
        lines.append(f"Roles: {', '.join(roles)}")
        data = {
            "entra_object_id": person.aad_object_id,
            "name": person.name,
            "email": person.email,
            "organisation": organisation.name if organisation else None,
            "organisation_status": person.organisation_status.value if person.organisation_status else None,
            "organisation_confirmed_at": person.organisation_confirmed_at,
            "roles": roles,
            "first_seen": person.created_at,
        }
        return Section("Profile", tuple(lines), data)

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        person_id = erasure.subject.person_id
        if person_id is None:
            return {}
        await session.execute(delete(PersonRole).where(PersonRole.person_id == person_id))
        has_bookings = await session.scalar(select(func.count()).where(Enrolment.person_id == person_id))
        if has_bookings:
            person = await session.get(Person, person_id)
            assert person is not None
            person.aad_object_id = erasure.pseudonym
            person.name = ERASED_NAME
            person.email = None
            person.organisation_confirmed_at = None
            return {"profile anonymised": 1}
        await session.execute(delete(Person).where(Person.id == person_id))
        return {"profile deleted": 1}


class DialogStateData(PersonalData):
    """What a conversation in progress keeps (an unfinished enquiry's answers, say). A person's own 1:1 chat state is
    deleted; a group chat's only when it holds something of theirs."""

    tables: ClassVar = {"bot_state": frozenset({"key", "document"})}
    erase_order: ClassVar = 10  # before the conversation records it finds the 1:1 chats by

    @staticmethod
    async def _personal_chats(session: AsyncSession, subject: Subject) -> list[str]:
        rows = await session.scalars(
            select(ConversationRecord.conversation_id).where(
                ConversationRecord.user_aad_object_id == subject.aad_object_id,
                ConversationRecord.conversation_type == "personal",
            )
        )
        return list(rows.all())

    async def _rows(self, session: AsyncSession, subject: Subject) -> list[BotStateRecord]:
        chats = await self._personal_chats(session, subject)
        if not chats:
            return []
        # Conversation state is stored under "<channel>/conversations/<conversation id>".
        of_chats = [BotStateRecord.key.endswith(f"/conversations/{chat}", autoescape=True) for chat in chats]
        rows = await session.scalars(select(BotStateRecord).where(or_(*of_chats)))
        return list(rows.all())

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        rows = await self._rows(session, subject)
        if not rows:
            return None
        return Section(
            "Conversation in progress",
            ("Where we are in our 1:1 chat (kept so a question can be answered later)",),
            [{"saved_at": r.updated_at, "state": r.document} for r in rows],
        )

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        doomed = {r.key for r in await self._rows(session, erasure.subject)}
        # Other conversations' state that holds one of the person's words (a group chat's unfinished poll, say).
        for marker in erasure.markers:
            found = await session.scalars(
                select(BotStateRecord.key).where(BotStateRecord.document.contains(marker, autoescape=True))
            )
            doomed.update(found.all())
        if doomed:
            await session.execute(delete(BotStateRecord).where(BotStateRecord.key.in_(doomed)))
        return {"conversation states deleted": len(doomed)} if doomed else {}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        stale = now - retention.period(DIALOG_STATE)
        result = await session.execute(delete(BotStateRecord).where(BotStateRecord.updated_at < stale))
        return {DIALOG_STATE: int(result.rowcount)}  # type: ignore[attr-defined]


class HousekeepingData(PersonalData):
    """Tables reviewed as holding nothing personal: a redelivered activity's claim is a hash, and a periodic job's
    claim names a process."""

    tables: ClassVar = {"activity_receipts": frozenset(), "periodic_job_runs": frozenset()}
    not_personal: ClassVar = {
        "activity_receipts": frozenset({"key"}),  # SHA-256 of channel, conversation and activity id
        "periodic_job_runs": frozenset({"job_name", "claimed_by", "period_key"}),
    }

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        return None

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        return {}
