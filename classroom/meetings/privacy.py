"""The personal data of meetings: when someone joined and left each session (with the name Teams gave), their status
and time present as measured at each session's end, trainers' corrections of their status (and who made them), and
their completions.

Export gives the person their own joins and leaves, corrections about them and completions; erasure deletes them
(a trainer's name on corrections they made becomes the erased placeholder). The purge removes the join and leave
times of sessions that ended longer ago than ``RETENTION_ATTENDANCE_EVENTS_DAYS``: the register's outcome stays in
the measured outcomes, the corrections and the completions.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.personal_data import ERASED_NAME, Erasure, PersonalData, Retention, Section, Subject
from classroom.privacy.retention import ATTENDANCE_EVENTS
from storage.models import (
    AttendanceCorrection,
    AttendanceEvent,
    AttendanceExportLink,
    AttendanceOutcome,
    Completion,
    CourseRun,
    RunSession,
)


class MeetingsData(PersonalData):
    tables: ClassVar = {
        "meeting_sessions": frozenset(),
        "attendance_events": frozenset({"aad_object_id", "name", "at"}),
        "attendance_corrections": frozenset({"person_id", "status", "corrected_by_aad_object_id", "corrected_by_name"}),
        "attendance_outcomes": frozenset({"person_id", "status", "present_seconds"}),
        "completions": frozenset({"person_id", "completed_at"}),
        "attendance_export_links": frozenset({"issued_to_aad_object_id", "token_hash"}),
    }
    not_personal: ClassVar = {"meeting_sessions": frozenset({"meeting_id", "conversation_id"})}

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        events = (
            await session.execute(
                select(AttendanceEvent, RunSession.position, CourseRun.code)
                .join(RunSession, RunSession.id == AttendanceEvent.session_id)
                .join(CourseRun, CourseRun.id == RunSession.run_id)
                .where(AttendanceEvent.aad_object_id == subject.aad_object_id.casefold())
                .order_by(AttendanceEvent.at)
            )
        ).all()
        corrections: list[tuple[AttendanceCorrection, int, str]] = []
        completions: list[tuple[Completion, str]] = []
        outcomes: list[tuple[AttendanceOutcome, int, str]] = []
        if subject.person_id is not None:
            outcomes = [
                (o, p, code)
                for o, p, code in (
                    await session.execute(
                        select(AttendanceOutcome, RunSession.position, CourseRun.code)
                        .join(RunSession, RunSession.id == AttendanceOutcome.session_id)
                        .join(CourseRun, CourseRun.id == RunSession.run_id)
                        .where(AttendanceOutcome.person_id == subject.person_id)
                        .order_by(RunSession.starts_at)
                    )
                ).all()
            ]
            corrections = [
                (c, p, code)
                for c, p, code in (
                    await session.execute(
                        select(AttendanceCorrection, RunSession.position, CourseRun.code)
                        .join(RunSession, RunSession.id == AttendanceCorrection.session_id)
                        .join(CourseRun, CourseRun.id == RunSession.run_id)
                        .where(AttendanceCorrection.person_id == subject.person_id)
                        .order_by(AttendanceCorrection.corrected_at)
                    )
                ).all()
            ]
            completions = [
                (c, code)
                for c, code in (
                    await session.execute(
                        select(Completion, CourseRun.code)
                        .join(CourseRun, CourseRun.id == Completion.run_id)
                        .where(Completion.person_id == subject.person_id)
                    )
                ).all()
            ]
        if not events and not corrections and not completions and not outcomes:
            return None
        lines = [f"{code} session {position}: {e.kind.value} at {e.at.isoformat()}" for e, position, code in events]
        lines += [
            f"{code} session {position}: measured {o.status.value}, {o.present_seconds // 60} minutes present"
            for o, position, code in outcomes
        ]
        lines += [
            f"{code} session {position}: marked {c.status.value} by a trainer" for c, position, code in corrections
        ]
        lines += [f"{code}: completed on {c.completed_at.date().isoformat()}" for c, code in completions]
        data = {
            "joins_and_leaves": [
                {"run": code, "session": position, "event": e.kind.value, "at": e.at, "name": e.name}
                for e, position, code in events
            ],
            "measured": [
                {"run": code, "session": position, "status": o.status.value, "present_seconds": o.present_seconds}
                for o, position, code in outcomes
            ],
            "corrections": [
                {"run": code, "session": position, "status": c.status.value, "at": c.corrected_at}
                for c, position, code in corrections
            ],
            "completions": [{"run": code, "at": c.completed_at} for c, code in completions],
        }
        return Section("Attendance", tuple(lines), data)

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        subject = erasure.subject
        events = await session.execute(
            delete(AttendanceEvent).where(AttendanceEvent.aad_object_id == subject.aad_object_id.casefold())
        )
        counts = {"joins and leaves deleted": int(events.rowcount)}  # type: ignore[attr-defined]
        if subject.person_id is not None:
            await session.execute(
                delete(AttendanceCorrection).where(AttendanceCorrection.person_id == subject.person_id)
            )
            await session.execute(delete(Completion).where(Completion.person_id == subject.person_id))
            await session.execute(delete(AttendanceOutcome).where(AttendanceOutcome.person_id == subject.person_id))
        await session.execute(
            update(AttendanceCorrection)
            .where(AttendanceCorrection.corrected_by_aad_object_id == subject.aad_object_id)
            .values(corrected_by_aad_object_id=erasure.pseudonym, corrected_by_name=ERASED_NAME)
        )
        await session.execute(
            delete(AttendanceExportLink).where(AttendanceExportLink.issued_to_aad_object_id == subject.aad_object_id)
        )
        return {k: v for k, v in counts.items() if v}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        before = now - retention.period(ATTENDANCE_EVENTS)
        ended = select(RunSession.id).where(RunSession.ends_at < before)
        result = await session.execute(delete(AttendanceEvent).where(AttendanceEvent.session_id.in_(ended)))
        return {ATTENDANCE_EVENTS: int(result.rowcount)}  # type: ignore[attr-defined]
