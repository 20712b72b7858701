"""The personal data of enquiries: a person's own enquiries with every message of them (deleted on erasure, and
once closed for longer than their retention period), and what they did to others' enquiries as a coordinator (kept
for the enquirer's record, without their name)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from classroom.privacy.personal_data import (
    ERASED_NAME,
    Erasure,
    PersonalData,
    Retention,
    Section,
    Subject,
)
from classroom.privacy.retention import CLOSED_ENQUIRIES
from storage.models import Enquiry, EnquiryEvent, EnquiryStatus


class EnquiriesData(PersonalData):
    tables: ClassVar = {
        "enquiries": frozenset(
            {
                "enquirer_aad_object_id",
                "enquirer_name",
                "enquirer_email",
                "organisation",
                "job_role",
                "message",
                "preferred_dates",
                "preferred_platform",
                "participants",
                "assignee_aad_object_id",
                "assignee_name",
            }
        ),
        "enquiry_events": frozenset({"actor_aad_object_id", "actor_name", "text"}),
        "enquiry_counters": frozenset(),
    }
    not_personal: ClassVar = {
        "enquiries": frozenset({"reference", "idempotency_key", "course_codes"}),
        "enquiry_events": frozenset({"idempotency_key"}),
    }

    @staticmethod
    async def _own(session: AsyncSession, subject: Subject) -> list[Enquiry]:
        rows = await session.scalars(
            select(Enquiry)
            .where(Enquiry.enquirer_aad_object_id == subject.aad_object_id)
            .options(selectinload(Enquiry.events))
            .order_by(Enquiry.created_at)
        )
        return list(rows.all())

    async def markers(self, session: AsyncSession, subject: Subject) -> set[str]:
        words: set[str] = set()
        for enquiry in await self._own(session, subject):
            words |= {enquiry.message, enquiry.enquirer_email, enquiry.enquirer_name}
            words |= {e.text for e in enquiry.events if e.actor_aad_object_id == subject.aad_object_id and e.text}
        return words

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        own = await self._own(session, subject)
        handled = (
            await session.scalars(
                select(EnquiryEvent.id).where(EnquiryEvent.actor_aad_object_id == subject.aad_object_id)
            )
        ).all()
        if not own and not handled:
            return None
        lines = [f"{e.reference} ({e.status.value.replace('_', ' ')}), {len(e.events)} messages" for e in own]
        if len(handled) > sum(1 for e in own for ev in e.events if ev.actor_aad_object_id == subject.aad_object_id):
            lines.append("Your actions on other people's enquiries (as a coordinator)")
        data = [
            {
                "reference": e.reference,
                "kind": e.kind.value,
                "status": e.status.value,
                "name": e.enquirer_name,
                "email": e.enquirer_email,
                "organisation": e.organisation,
                "job_role": e.job_role,
                "courses": e.course_codes,
                "participants": e.participants,
                "preferred_dates": e.preferred_dates,
                "preferred_platform": e.preferred_platform,
                "message": e.message,
                "created_at": e.created_at,
                "closed_at": e.closed_at,
                "history": [
                    {"at": ev.at, "action": ev.action.value, "by": ev.actor_name, "text": ev.text} for ev in e.events
                ],
            }
            for e in own
        ]
        return Section("Enquiries", tuple(lines), data)

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        aad = erasure.subject.aad_object_id
        deleted = await session.execute(delete(Enquiry).where(Enquiry.enquirer_aad_object_id == aad))
        await session.execute(
            update(EnquiryEvent)
            .where(EnquiryEvent.actor_aad_object_id == aad)
            .values(actor_aad_object_id=erasure.pseudonym, actor_name=ERASED_NAME)
        )
        await session.execute(
            update(Enquiry)
            .where(Enquiry.assignee_aad_object_id == aad)
            .values(assignee_aad_object_id=erasure.pseudonym, assignee_name=ERASED_NAME)
        )
        count = int(deleted.rowcount)  # type: ignore[attr-defined]
        return {"enquiries deleted": count} if count else {}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        before = now - retention.period(CLOSED_ENQUIRIES)
        ids = (
            await session.scalars(
                select(Enquiry.id).where(Enquiry.status == EnquiryStatus.CLOSED, Enquiry.closed_at < before)
            )
        ).all()
        if ids:
            await session.execute(delete(EnquiryEvent).where(EnquiryEvent.enquiry_id.in_(ids)))
            await session.execute(delete(Enquiry).where(Enquiry.id.in_(ids)))
        return {CLOSED_ENQUIRIES: len(ids)}
