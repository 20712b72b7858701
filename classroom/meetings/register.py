"""The attendance register of a session, computed from its join and leave events, the enrolments and trainers'
corrections: each participant's status (attended / partly / absent), and the people who joined without a place
(guests, colleagues, the trainers themselves) listed apart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from classroom.meetings.outcomes import stored_outcomes
from classroom.meetings.presence import Span, present_for, status_for
from classroom.meetings.sessions import LATE
from storage.models import (
    AttendanceCorrection,
    AttendanceEvent,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    MeetingSession,
    ParticipantEvent,
    RunSession,
)

# Who the register expects: a confirmed place, or one whose clash the trainers have yet to decide on.
EXPECTED = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW)


@dataclass(frozen=True)
class RegisterRow:
    person_id: int
    aad_object_id: str
    name: str
    status: AttendanceStatus  # the trainers' correction when there is one, else as measured
    measured: AttendanceStatus
    present: timedelta
    excused: bool  # an accepted clash: they told us they would miss this session and the trainers agreed
    corrected_by: str | None = None

    @property
    def missed(self) -> bool:
        """Absent or partly without an accepted clash: the "attend every date" rule was not met."""
        return self.status is not AttendanceStatus.ATTENDED and not self.excused


@dataclass(frozen=True)
class Guest:
    name: str
    present: timedelta


@dataclass(frozen=True)
class SessionRegister:
    session_id: int
    position: int
    span: Span
    started_at: datetime | None
    ended_at: datetime | None
    rows: tuple[RegisterRow, ...]
    guests: tuple[Guest, ...]

    def count(self, status: AttendanceStatus) -> int:
        return sum(1 for r in self.rows if r.status is status)

    @property
    def missed(self) -> tuple[RegisterRow, ...]:
        return tuple(r for r in self.rows if r.missed)


def session_span(run_session: RunSession, meeting: MeetingSession | None, now: datetime) -> Span:
    """The window presence is measured against: the scheduled session clipped to the meeting as it happened,
    ``[max(actual start, scheduled start), min(actual end, scheduled end)]``, so a trainer opening the meeting early
    (up to ``EARLY``) or leaving it open afterwards makes nobody "partly". A meeting started and never ended (its
    end event lost) counts as running only until the scheduled end plus ``LATE``, not for ever. Without Teams'
    times, the scheduled ones."""
    actual_start = meeting.started_at if meeting and meeting.started_at else run_session.starts_at
    if meeting and meeting.ended_at:
        actual_end = meeting.ended_at
    elif meeting and meeting.started_at:
        actual_end = min(max(now, actual_start), run_session.ends_at + LATE)  # live: so far, within reason
    else:
        actual_end = run_session.ends_at
    start = max(actual_start, run_session.starts_at)
    end = min(actual_end, run_session.ends_at)
    if end <= start:  # the meeting and the schedule do not overlap at all: the meeting as it happened
        start, end = actual_start, actual_end
    return Span(start, max(start, end))


async def expected_enrolments(session: AsyncSession, run_id: int) -> list[Enrolment]:
    return list(
        (
            await session.scalars(
                select(Enrolment)
                .where(Enrolment.run_id == run_id, Enrolment.status.in_(EXPECTED))
                .options(joinedload(Enrolment.person), selectinload(Enrolment.clash_sessions))
            )
        )
        .unique()
        .all()
    )


async def load_register(
    session: AsyncSession,
    run_session: RunSession,
    *,
    share_percent: int,
    now: datetime,
    enrolments: list[Enrolment] | None = None,
) -> SessionRegister:
    meeting = await session.get(MeetingSession, run_session.id)
    span = session_span(run_session, meeting, now)
    if enrolments is None:
        enrolments = await expected_enrolments(session, run_session.run_id)
    events: dict[str, list[tuple[ParticipantEvent, datetime]]] = defaultdict(list)
    names: dict[str, str] = {}
    for event in (
        await session.scalars(
            select(AttendanceEvent).where(AttendanceEvent.session_id == run_session.id).order_by(AttendanceEvent.at)
        )
    ).all():
        key = event.aad_object_id.casefold()
        events[key].append((event.kind, event.at))
        names[key] = event.name or names.get(key, "")
    # The join and leave events purged after their retention period: the lines measured at the end stand in.
    stored = await stored_outcomes(session, run_session.id) if not events and meeting and meeting.ended_at else {}
    corrections: dict[int, AttendanceCorrection] = {}
    for row in (
        await session.scalars(
            select(AttendanceCorrection)
            .where(AttendanceCorrection.session_id == run_session.id)
            .order_by(AttendanceCorrection.corrected_at, AttendanceCorrection.id)
        )
    ).all():
        corrections[row.person_id] = row  # the newest wins
    rows = []
    enrolled: set[str] = set()
    for enrolment in sorted(enrolments, key=lambda e: (e.person.name.casefold(), e.person_id)):
        key = enrolment.person.aad_object_id.casefold()
        enrolled.add(key)
        mine = events.get(key, [])
        present = present_for(mine, span)
        measured = status_for(present, span, share_percent, seen=any(k is ParticipantEvent.JOIN for k, _ in mine))
        if enrolment.person_id in stored:
            measured, present = stored[enrolment.person_id].status, stored[enrolment.person_id].present
        correction = corrections.get(enrolment.person_id)
        excused = enrolment.status is EnrolmentStatus.CONFIRMED and any(
            s.id == run_session.id for s in enrolment.clash_sessions
        )
        rows.append(
            RegisterRow(
                person_id=enrolment.person_id,
                aad_object_id=enrolment.person.aad_object_id,
                name=enrolment.person.name,
                status=correction.status if correction else measured,
                measured=measured,
                present=present,
                excused=excused,
                corrected_by=correction.corrected_by_name or "a trainer" if correction else None,
            )
        )
    guests = tuple(
        Guest(names.get(key, ""), present_for(mine, span))
        for key, mine in sorted(events.items(), key=lambda kv: names.get(kv[0], "").casefold())
        if key not in enrolled
    )
    return SessionRegister(
        session_id=run_session.id,
        position=run_session.position,
        span=span,
        started_at=meeting.started_at if meeting else None,
        ended_at=meeting.ended_at if meeting else None,
        rows=tuple(rows),
        guests=guests,
    )


async def run_sessions(session: AsyncSession, run_id: int) -> list[RunSession]:
    return list(
        (
            await session.scalars(select(RunSession).where(RunSession.run_id == run_id).order_by(RunSession.position))
        ).all()
    )
