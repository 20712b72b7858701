"""The personal data of administration: the record of role changes and trainer links made by or to a person. The
record is kept (who may do what must stay accountable) with the erased person's name and id replaced by a
pseudonym."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.personal_data import ERASED_NAME, Erasure, PersonalData, Section, Subject
from storage.models import AdminChange


class AdminData(PersonalData):
    tables: ClassVar = {
        "admin_changes": frozenset({"actor_aad_object_id", "actor_name", "subject_aad_object_id", "subject_name"}),
    }

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        aad = subject.aad_object_id
        rows = (
            await session.scalars(
                select(AdminChange)
                .where(or_(AdminChange.subject_aad_object_id == aad, AdminChange.actor_aad_object_id == aad))
                .order_by(AdminChange.at)
            )
        ).all()
        if not rows:
            return None
        lines = (f"Changes to roles and trainer links by you or about you: {len(rows)}",)
        data = [
            {
                "at": r.at,
                "action": r.action.value,
                "by": r.actor_name,
                "about": r.subject_name,
                "role": r.role,
                "run": r.run_code,
            }
            for r in rows
        ]
        return Section("Roles", lines, data)

    async def kept(self, session: AsyncSession, subject: Subject) -> list[str]:
        aad = subject.aad_object_id
        found = await session.scalar(
            select(AdminChange.id)
            .where(or_(AdminChange.subject_aad_object_id == aad, AdminChange.actor_aad_object_id == aad))
            .limit(1)
        )
        return ["The record of role changes by or about you, without your name"] if found else []

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        aad = erasure.subject.aad_object_id
        about = await session.execute(
            update(AdminChange)
            .where(AdminChange.subject_aad_object_id == aad)
            .values(subject_aad_object_id=erasure.pseudonym, subject_name=ERASED_NAME)
        )
        by = await session.execute(
            update(AdminChange)
            .where(AdminChange.actor_aad_object_id == aad)
            .values(actor_aad_object_id=erasure.pseudonym, actor_name=ERASED_NAME)
        )
        count = int(about.rowcount) + int(by.rowcount)  # type: ignore[attr-defined]
        return {"role records anonymised": count} if count else {}
