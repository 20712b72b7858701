"""The personal data of reflection: a person's reflections and CPD entries (their own record, sealed at rest), and
the download links of their CPD log. All of it is theirs alone: exported to them opened, deleted on erasure, kept
otherwise until they delete it (the retention purge leaves it be)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.personal_data import Erasure, PersonalData, Section, Subject
from classroom.reflection.personal_data import erase_personal_data, export_personal_data
from classroom.reflection.sealing import Sealer


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

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        if erasure.subject.person_id is None:
            return {}
        count = await erase_personal_data(session, erasure.subject.person_id)
        return {"reflections and CPD entries deleted": count} if count else {}
