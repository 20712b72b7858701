"""Turning a confirmed draft into an enquiry, its first history entry and the coordinators' card, at once.

Everything is written in one transaction: an enquiry is never saved without its coordinator notification,
nor a notification queued for an enquiry that was not saved. The idempotency key names the submission (the
dialog's own id), so a redelivered or double-clicked "Send" finds the enquiry the first one made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enquiries.fields import COURSES_MAX, EnquiryDraft
from classroom.enquiries.notices import queue_coordinator_card
from classroom.enquiries.references import allocate_number, format_reference
from classroom.enquiries.views import enquiry_view
from classroom.errors import ClassroomError, NotAllowed
from storage.models import Course, Enquiry, EnquiryAction, EnquiryEvent, EnquiryStatus
from storage.upsert import insert_or_ignore


class DuplicateSubmission(ClassroomError):
    """Another transaction saved this submission first; roll back and read theirs."""


@dataclass(frozen=True)
class Submitted:
    id: int
    reference: str
    created: bool  # False: this submission had been saved before (a redelivery or a second click)


async def _by_key(session: AsyncSession, idempotency_key: str) -> Enquiry | None:
    return await session.scalar(select(Enquiry).where(Enquiry.idempotency_key == idempotency_key))


def _theirs(enquiry: Enquiry, enquirer_aad_object_id: str) -> Submitted:
    if enquiry.enquirer_aad_object_id != enquirer_aad_object_id:
        raise NotAllowed("that submission belongs to someone else")
    return Submitted(enquiry.id, enquiry.reference, created=False)


async def create_enquiry(
    session: AsyncSession,
    draft: EnquiryDraft,
    *,
    enquirer_aad_object_id: str,
    idempotency_key: str,
    now: datetime,
) -> Submitted:
    """Save the enquiry and queue its coordinator card in the caller's transaction (the caller commits).

    Raises:
        InvalidInput: a field fails validation (the dialog checks first; this guards every other caller).
        DuplicateSubmission: a concurrent transaction saved the same key first; roll back, then read it.
    """
    existing = await _by_key(session, idempotency_key)
    if existing is not None:
        return _theirs(existing, enquirer_aad_object_id)
    # Only the codes it names (at most COURSES_MAX; more is refused anyway): a look-up each, whatever the catalogue.
    named = [code.upper() for code in draft.course_codes[:COURSES_MAX]]
    known_codes = set(await session.scalars(select(Course.code).where(Course.code.in_(named)))) if named else set()
    draft = draft.validated(known_codes)
    number = await allocate_number(session, now.year)
    reference = format_reference(now.year, number)
    inserted = await insert_or_ignore(
        session,
        Enquiry.__table__,  # type: ignore[arg-type]
        {
            "reference": reference,
            "year": now.year,
            "number": number,
            "idempotency_key": idempotency_key,
            "kind": draft.kind.value,
            "status": EnquiryStatus.AWAITING_REPLY.value,
            "enquirer_aad_object_id": enquirer_aad_object_id,
            "enquirer_name": draft.name,
            "enquirer_email": draft.email,
            "organisation": draft.organisation,
            "job_role": draft.role,
            "course_codes": draft.course_codes,
            "participants": draft.participants,
            "preferred_dates": draft.preferred_dates,
            "preferred_platform": draft.preferred_platform,
            "message": draft.message,
            "awaiting_since": now,
            "created_at": now,
            "updated_at": now,
        },
        ["idempotency_key"],
    )
    if not inserted:
        raise DuplicateSubmission(idempotency_key)
    enquiry = await _by_key(session, idempotency_key)
    assert enquiry is not None
    session.add(
        EnquiryEvent(
            enquiry_id=enquiry.id,
            action=EnquiryAction.CREATED,
            actor_aad_object_id=enquirer_aad_object_id,
            actor_name=draft.name,
            at=now,
        )
    )
    await session.flush()
    await queue_coordinator_card(session, await enquiry_view(session, enquiry), now=now)
    return Submitted(enquiry.id, reference, created=True)


async def submitted_by_key(session: AsyncSession, idempotency_key: str, enquirer_aad_object_id: str) -> Submitted:
    """The enquiry a concurrent twin of this submission saved (after ``DuplicateSubmission``)."""
    existing = await _by_key(session, idempotency_key)
    assert existing is not None
    return _theirs(existing, enquirer_aad_object_id)
