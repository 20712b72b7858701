"""The "attend every date" rule at the run's end: a participant who attended every session (sessions of an
accepted clash excepted) has completed the course. Completions are stored once (a replayed end or a later
correction adds only who newly completed), and each newly completed participant is issued their certificate of
attendance in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.certificates.issuing import issue_certificates
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.register import expected_enrolments, load_register, run_sessions
from storage.models import Completion, EnrolmentStatus, MeetingSession
from storage.upsert import insert_or_ignore


async def completed_people(session: AsyncSession, run_id: int, *, now: datetime, policy: MeetingPolicy) -> list[int]:
    """Who met the rule: a confirmed place and, for every session, attended or excused by an accepted clash."""
    enrolments = [e for e in await expected_enrolments(session, run_id) if e.status is EnrolmentStatus.CONFIRMED]
    if not enrolments:
        return []
    met = {e.person_id for e in enrolments}
    for run_session in await run_sessions(session, run_id):
        register = await load_register(
            session, run_session, share_percent=policy.attended_percent, now=now, enrolments=enrolments
        )
        met &= {r.person_id for r in register.rows if not r.missed}
    return sorted(met)


async def last_session_ended(session: AsyncSession, run_id: int) -> bool:
    sessions = await run_sessions(session, run_id)
    if not sessions:
        return False
    meeting = await session.get(MeetingSession, sessions[-1].id)
    return meeting is not None and meeting.ended_at is not None


async def complete_run(session: AsyncSession, run_id: int, *, now: datetime, policy: MeetingPolicy) -> list[int]:
    """Store the completions of the run; returns the people who completed just now."""
    already = set((await session.scalars(select(Completion.person_id).where(Completion.run_id == run_id))).all())
    newly = []
    for person_id in await completed_people(session, run_id, now=now, policy=policy):
        if person_id in already:
            continue
        inserted = await insert_or_ignore(
            session,
            Completion.__table__,  # type: ignore[arg-type]
            {"run_id": run_id, "person_id": person_id, "completed_at": now},
            ["run_id", "person_id"],
        )
        if inserted:
            newly.append(person_id)
    await issue_certificates(session, run_id=run_id, person_ids=newly, now=now)  # each gets theirs, once
    return newly
