"""The personal data of certificates: each holder's certificates (their name as printed, the course, the hours,
the code) and the download links of their PDFs.

Export: every certificate, as printed. Erasure deletes them with their links, so a code that named the person
afterwards answers "no such certificate" (the anonymised booking the enrolment feature keeps remains the provider's
record that a place was taken); someone erased who trained a course is taken off the trainers of others'
certificates. Purge: download links expired longer ago than the download links' period; the
certificates themselves are their holder's record and stay until they are erased.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.certificates.codes import shown
from classroom.certificates.links import purge_expired_links
from classroom.certificates.loading import view_of
from classroom.privacy.personal_data import Erasure, PersonalData, Retention, Section, Subject
from classroom.privacy.retention import DOWNLOAD_LINKS
from classroom.reflection.form import hours_text
from storage.models import Certificate, CertificateLink


class CertificateData(PersonalData):
    tables: ClassVar = {
        "certificates": frozenset({"person_id", "holder_name", "code", "cpd_entry_id", "details"}),
        "certificate_links": frozenset({"certificate_id", "token_hash"}),
    }
    not_personal: ClassVar = {"certificates": frozenset({"course_code", "course_title", "run_code"})}

    @staticmethod
    async def _own(session: AsyncSession, subject: Subject) -> list[Certificate]:
        if subject.person_id is None:
            return []
        rows = await session.scalars(
            select(Certificate).where(Certificate.person_id == subject.person_id).order_by(Certificate.id)
        )
        return list(rows.all())

    async def markers(self, session: AsyncSession, subject: Subject) -> set[str]:
        """Their codes: the congratulations card in the outbox carries one (a whole value, found as such)."""
        return {row.code for row in await self._own(session, subject)}

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        own = [view_of(row) for row in await self._own(session, subject)]
        if not own:
            return None
        lines = tuple(f"{v.course_title} ({v.run_code}): {hours_text(v.minutes)}, code {shown(v.code)}" for v in own)
        data = [
            {
                "code": shown(v.code),
                "name_on_certificate": v.holder_name,
                "course_code": v.course_code,
                "course": v.course_title,
                "run": v.run_code,
                "sessions": [[start.isoformat(), end.isoformat()] for start, end in v.sessions],
                "minutes": v.minutes,
                "learning_outcomes": list(v.outcomes),
                "trainers": list(v.trainers),
                "issued_at": v.issued_at.isoformat(),
            }
            for v in own
        ]
        return Section("Certificates of attendance", lines, data)

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        person_id = erasure.subject.person_id
        if person_id is None:
            return {}
        mine = select(Certificate.id).where(Certificate.person_id == person_id)
        await session.execute(delete(CertificateLink).where(CertificateLink.certificate_id.in_(mine)))
        result = await session.execute(delete(Certificate).where(Certificate.person_id == person_id))
        counts = {
            "certificates deleted": int(result.rowcount),  # type: ignore[attr-defined]
            "certificates without their name as trainer": await _unname_trainer(session, erasure),
        }
        return {what: n for what, n in counts.items() if n}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        return {DOWNLOAD_LINKS: await purge_expired_links(session, now - retention.period(DOWNLOAD_LINKS))}


async def _unname_trainer(session: AsyncSession, erasure: Erasure) -> int:
    """Other people's certificates keep the course as it was, but no longer name the erased person as a trainer."""
    changed = 0
    for row in await session.scalars(select(Certificate)):
        trainers = list((row.details or {}).get("trainers", []))
        kept = [name for name in trainers if not erasure.mentions(name)]
        if kept != trainers:
            row.details = {**row.details, "trainers": kept}
            changed += 1
    await session.flush()
    return changed
