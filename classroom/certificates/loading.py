"""Certificates as views, from their rows (each row keeps its own copy of what it shows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.certificates.views import CertificateView, VerifiedCertificate
from storage.models import Certificate, Person


def details_of(sessions: list[tuple[datetime, datetime]], outcomes: list[str], trainers: list[str]) -> dict[str, Any]:
    return {
        "sessions": [[start.isoformat(), end.isoformat()] for start, end in sessions],
        "outcomes": outcomes,
        "trainers": trainers,
    }


def view_of(row: Certificate) -> CertificateView:
    details = row.details or {}
    sessions = tuple(
        (datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in details.get("sessions", [])
    )
    return CertificateView(
        id=row.id,
        code=row.code,
        holder_name=row.holder_name,
        course_code=row.course_code,
        course_title=row.course_title,
        run_code=row.run_code,
        sessions=sessions or ((row.first_starts_at, row.last_ends_at),),
        minutes=row.minutes,
        outcomes=tuple(str(o) for o in details.get("outcomes", [])),
        trainers=tuple(str(t) for t in details.get("trainers", [])),
        issued_at=row.issued_at,
    )


def verified_of(row: Certificate) -> VerifiedCertificate:
    return VerifiedCertificate(
        code=row.code,
        holder_name=row.holder_name,
        course_code=row.course_code,
        course_title=row.course_title,
        run_code=row.run_code,
        first_starts_at=row.first_starts_at,
        last_ends_at=row.last_ends_at,
        session_count=len((row.details or {}).get("sessions", [])) or 1,
        issued_at=row.issued_at,
    )


async def certificates_of(session: AsyncSession, aad_object_id: str) -> list[Certificate]:
    """The person's certificates, newest first."""
    rows = await session.scalars(
        select(Certificate)
        .join(Person, Person.id == Certificate.person_id)
        .where(Person.aad_object_id == aad_object_id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    return list(rows.all())
