"""The personal data of enrolment: a person's places, waitlist entries and clash reasons (a court date, an
illness), and their calendar links. Bookings are records the provider must keep: an erasure keeps them without
the person's name (their ``people`` row becomes anonymous) and without the reason of any clash, until the booking
records' retention period after the course's last session; a waitlist entry, which booked nothing, is deleted."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, func, select, update
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
from classroom.privacy.retention import BOOKING_RECORDS
from storage.models import CalendarLink, CourseRun, Enrolment, EnrolmentStatus, Person, RunSession


class EnrolmentData(PersonalData):
    tables: ClassVar = {
        "enrolments": frozenset(
            {"person_id", "status", "clash_reason", "price_band", "price_pence", "organisation_id"}
        ),
        "enrolment_clash_sessions": frozenset({"enrolment_id", "session_id"}),
        "calendar_links": frozenset({"enrolment_id", "token_hash"}),
        "announced_session_times": frozenset(),
    }
    not_personal: ClassVar = {"enrolments": frozenset({"reviewed_by_person_id"})}

    @staticmethod
    async def _own(session: AsyncSession, subject: Subject) -> list[Enrolment]:
        if subject.person_id is None:
            return []
        rows = await session.scalars(
            select(Enrolment)
            .where(Enrolment.person_id == subject.person_id)
            .options(
                selectinload(Enrolment.run).selectinload(CourseRun.course),
                selectinload(Enrolment.run).selectinload(CourseRun.sessions),
                selectinload(Enrolment.clash_sessions),
            )
            .order_by(Enrolment.created_at)
        )
        return list(rows.all())

    async def markers(self, session: AsyncSession, subject: Subject) -> set[str]:
        return {e.clash_reason for e in await self._own(session, subject) if e.clash_reason}

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        own = await self._own(session, subject)
        if not own:
            return None
        lines = []
        for e in own:
            line = f"{e.run.code} {e.run.course.title}: {e.status.value.replace('_', ' ')}"
            if e.clash_sessions:
                line += f"; cannot attend session {', '.join(str(s.position) for s in e.clash_sessions)}"
            if e.clash_reason:
                line += f' because "{e.clash_reason}"'
            lines.append(line)
        data = [
            {
                "run": e.run.code,
                "course": e.run.course.title,
                "status": e.status.value,
                "price_band": e.price_band,
                "price_pence": e.price_pence,
                "clash_sessions": [s.position for s in e.clash_sessions],
                "clash_reason": e.clash_reason,
                "booked_at": e.created_at,
                "confirmed_at": e.confirmed_at,
                "ended_at": e.ended_at,
            }
            for e in own
        ]
        return Section("Courses", tuple(lines), data)

    async def kept(self, session: AsyncSession, subject: Subject) -> list[str]:
        return [
            f"Your booking on {e.run.code} ({e.status.value.replace('_', ' ')}), without your name or reasons"
            for e in await self._own(session, subject)
            if e.status != EnrolmentStatus.WAITLISTED
        ]

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        person_id = erasure.subject.person_id
        if person_id is None:
            return {}
        mine = select(Enrolment.id).where(Enrolment.person_id == person_id)
        await session.execute(delete(CalendarLink).where(CalendarLink.enrolment_id.in_(mine)))
        waitlisted = await session.execute(
            delete(Enrolment).where(Enrolment.person_id == person_id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        )
        kept = await session.execute(
            update(Enrolment).where(Enrolment.person_id == person_id).values(clash_reason=None)
        )
        counts = {
            "waitlist entries deleted": int(waitlisted.rowcount),  # type: ignore[attr-defined]
            "bookings kept without name": int(kept.rowcount),  # type: ignore[attr-defined]
        }
        return {what: n for what, n in counts.items() if n}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        """Anonymised bookings (of erased people) whose course ended longer ago than the booking records' period."""
        before = now - retention.period(BOOKING_RECORDS)
        last_session = (
            select(func.max(RunSession.ends_at)).where(RunSession.run_id == Enrolment.run_id).scalar_subquery()
        )
        erased = select(Person.id).where(Person.name == ERASED_NAME, Person.aad_object_id.like("erased-%"))
        doomed = (
            await session.scalars(select(Enrolment.id).where(Enrolment.person_id.in_(erased), last_session < before))
        ).all()
        if doomed:
            await session.execute(delete(Enrolment).where(Enrolment.id.in_(doomed)))
            # An erased person with no booking left is nothing at all.
            left = select(Enrolment.person_id)
            await session.execute(delete(Person).where(Person.id.in_(erased), Person.id.not_in(left)))
        return {BOOKING_RECORDS: len(doomed)}
