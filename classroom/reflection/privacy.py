"""The personal data of reflection: a person's reflections and CPD entries (their own record, sealed at rest), and
the download links of their CPD log. All of it is theirs alone: exported to them opened, deleted on erasure, and
otherwise kept until they delete it, unless they are gone: no 1:1 chat with the bot (they removed the app, or
never had it) and nothing of their log written or changed for ``RETENTION_REFLECTIONS_OF_THE_GONE_DAYS``."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.personal_data import Erasure, PersonalData, Retention, Section, Subject
from classroom.privacy.retention import REFLECTIONS_OF_THE_GONE
from classroom.reflection.personal_data import erase_personal_data, export_personal_data
from classroom.reflection.sealing import Sealer
from storage.models import ConversationRecord, CpdEntry, CpdExportLink, Person, Reflection


class ReflectionData(PersonalData):
    tables: ClassVar = {
        "reflections": frozenset({"person_id", "sealed_answers"}),
        "cpd_entries": frozenset({"person_id", "sealed_fields"}),
        "cpd_export_links": frozenset({"person_id", "token_hash"}),
    }

    def __init__(self, sealer: Sealer | None = None) -> None:
        self._sealer = sealer  # None: no key configured, so nothing could have been sealed either

    def sealed_with(self, sealer: Sealer | None) -> ReflectionData:
        """The same, able to open what was sealed (the host hands it the keys from the settings)."""
        return ReflectionData(sealer)

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        if subject.person_id is None or self._sealer is None:
            return None
        data = await export_personal_data(session, subject.person_id, self._sealer)
        if not data["reflections"] and not data["cpd_entries"]:
            return None
        lines = (
            f"Reflections: {len(data['reflections'])}",
            f"CPD log entries: {len(data['cpd_entries'])} (type my cpd to see them)",
        )
        return Section("Reflections and CPD log", lines, data)

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        before = now - retention.period(REFLECTIONS_OF_THE_GONE)
        chat = exists().where(
            ConversationRecord.user_aad_object_id == Person.aad_object_id,
            ConversationRecord.conversation_type == "personal",
            or_(ConversationRecord.installed.is_(True), ConversationRecord.updated_at >= before),
        )
        recent = or_(
            exists().where(Reflection.person_id == Person.id, Reflection.updated_at >= before),
            exists().where(CpdEntry.person_id == Person.id, CpdEntry.updated_at >= before),
        )
        gone = select(Person.id).where(~chat, ~recent)
        await session.execute(delete(CpdExportLink).where(CpdExportLink.person_id.in_(gone)))
        entries = await session.execute(delete(CpdEntry).where(CpdEntry.person_id.in_(gone)))
        reflections = await session.execute(delete(Reflection).where(Reflection.person_id.in_(gone)))
        return {REFLECTIONS_OF_THE_GONE: int(entries.rowcount) + int(reflections.rowcount)}  # type: ignore[attr-defined]

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        if erasure.subject.person_id is None:
            return {}
        count = await erase_personal_data(session, erasure.subject.person_id)
        return {"reflections and CPD entries deleted": count} if count else {}
