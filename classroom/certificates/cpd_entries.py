"""A certificate's entry in its holder's CPD log, made by the reflection feature's own ``cpd.add_entry`` (sealed
like every entry): at issue when the issuer has the reflection keys, otherwise by the certificate feature's periodic
job, which has them (so the meetings feature need not hold the keys for its holders' logs to be complete)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.certificates.codes import shown
from classroom.reflection import cpd
from classroom.reflection.reflections import COURSE_CPD_TYPE
from classroom.reflection.sealing import Sealer
from classroom.reflection.views import CpdFields
from storage.models import Certificate, Person

BATCH = 100


async def add_cpd_entry(
    session: AsyncSession, certificate: Certificate, *, sealer: Sealer, zone: ZoneInfo, now: datetime
) -> None:
    """The entry for ``certificate`` (its hours, on the day of its last session), recorded as made."""
    aad_object_id = await session.scalar(select(Person.aad_object_id).where(Person.id == certificate.person_id))
    assert aad_object_id is not None  # the certificate goes with its person (ON DELETE CASCADE)
    sessions = len((certificate.details or {}).get("sessions", [])) or 1
    entry = await cpd.add_entry(
        session,
        aad_object_id,
        activity_date=certificate.last_ends_at.astimezone(zone).date(),
        cpd_type=COURSE_CPD_TYPE,
        minutes=min(certificate.minutes, cpd.MAX_MINUTES),
        fields=_fields(certificate, sessions),
        sealer=sealer,
        now=now,
    )
    certificate.cpd_entry_id = entry.id
    certificate.cpd_recorded = True
    await session.flush()


async def add_missing_cpd_entries(session: AsyncSession, *, sealer: Sealer, zone: ZoneInfo, now: datetime) -> int:
    """Entries for certificates issued without the keys (a batch at a time); how many were made.

    The rows are claimed as they are read (``FOR UPDATE SKIP LOCKED`` on PostgreSQL): a second run overlapping this
    one passes over them instead of making their entries twice. SQLite runs one writer at a time and ignores it."""
    waiting = (
        await session.scalars(
            select(Certificate)
            .where(Certificate.cpd_recorded.is_(False))
            .order_by(Certificate.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for certificate in waiting:
        await add_cpd_entry(session, certificate, sealer=sealer, zone=zone, now=now)
    return len(waiting)


def _fields(certificate: Certificate, session_count: int) -> CpdFields:
    sessions = "one session" if session_count == 1 else f"{session_count} sessions"
    return CpdFields(
        title=certificate.course_title[:200],
        description=(
            f"Attended {certificate.course_title} ({certificate.course_code}, run {certificate.run_code}), "
            f"{sessions} online via Microsoft Teams. Certificate of attendance {shown(certificate.code)}."
        ),
        learnt="",
        impact="",
        outcomes=tuple(str(o) for o in (certificate.details or {}).get("outcomes", [])),
    )
