"""Each participant's register line as measured at the session's end, kept after the join and leave events behind
it are purged (``RETENTION_ATTENDANCE_EVENTS_DAYS``): an old register then reads from these instead of showing
everyone absent. Corrections are kept apart, as ever, and still win."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AttendanceOutcome, AttendanceStatus
from storage.upsert import insert_or_update


@dataclass(frozen=True)
class Outcome:
    status: AttendanceStatus
    present: timedelta


async def store_outcomes(session: AsyncSession, session_id: int, measured: dict[int, Outcome]) -> None:
    """Record (or bring up to date) the measured line of each person id in ``measured``."""
    for person_id, outcome in measured.items():
        await insert_or_update(
            session,
            AttendanceOutcome.__table__,  # type: ignore[arg-type]
            {
                "session_id": session_id,
                "person_id": person_id,
                "status": outcome.status,
                "present_seconds": int(outcome.present.total_seconds()),
            },
            ["session_id", "person_id"],
            ["status", "present_seconds"],
        )


async def stored_outcomes(session: AsyncSession, session_id: int) -> dict[int, Outcome]:
    rows = (await session.scalars(select(AttendanceOutcome).where(AttendanceOutcome.session_id == session_id))).all()
    return {r.person_id: Outcome(r.status, timedelta(seconds=r.present_seconds)) for r in rows}
