"""The personal data of data protection itself: a person's download links and the audit log's entries by or about
them (kept for accountability, with a pseudonym in place of the erased person)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.audit import entries_about, pseudonymise, purge_audit
from classroom.privacy.export_links import delete_links_of, purge_expired
from classroom.privacy.personal_data import Erasure, PersonalData, Retention, Section, Subject
from classroom.privacy.retention import AUDIT_ENTRIES, DOWNLOAD_LINKS


class PrivacyData(PersonalData):
    tables: ClassVar = {
        "data_export_links": frozenset({"aad_object_id", "token_hash"}),
        "audit_entries": frozenset(
            {"actor_aad_object_id", "actor_name", "subject_aad_object_id", "subject_name", "where", "details"}
        ),
    }
    not_personal: ClassVar = {"audit_entries": frozenset({"action"})}

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        entries = await entries_about(session, subject.aad_object_id)
        if not entries:
            return None
        lines = (f"Recorded actions by you or about you: {len(entries)}",)
        data = [
            {"at": e.at, "action": e.action, "by": e.actor_name, "about": e.subject_name, "details": e.details}
            for e in entries
        ]
        return Section("Audit log", lines, data)

    async def kept(self, session: AsyncSession, subject: Subject) -> list[str]:
        if await entries_about(session, subject.aad_object_id):
            return ["The audit log's entries by or about you (this erasure among them), without your name"]
        return []

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        links = await delete_links_of(session, erasure.subject.aad_object_id)
        entries = await pseudonymise(session, erasure)
        counts = {"download links deleted": links, "audit entries anonymised": entries}
        return {what: n for what, n in counts.items() if n}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        return {
            DOWNLOAD_LINKS: await purge_expired(session, now - retention.period(DOWNLOAD_LINKS)),
            AUDIT_ENTRIES: await purge_audit(session, now - retention.period(AUDIT_ENTRIES)),
        }
