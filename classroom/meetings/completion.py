"""The "attend every date" rule at the run's end: a participant who attended every session (sessions of an
accepted clash excepted) has completed the course. Completions are stored once (a replayed end adds only who newly
completed), and each newly completed participant is issued their certificate of attendance in the same
transaction. A trainer's correction after the last session recomputes them both ways: whoever no longer meets the
rule loses the completion and the certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.certificates.issuing import issue_certificates
from classroom.certificates.withdrawing import withdraw_certificates
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.register import expected_enrolments, load_register, run_sessions
from storage.models import Completion, EnrolmentStatus, MeetingSession
from storage.upsert import insert_or_ignore


@dataclass(frozen=True)
class Completions:
    confirmed: frozenset[int]  # the people with a confirmed place: whom the rule is about
    met: frozenset[int]  # those of them who met it


async def completions_due(session: AsyncSession, run_id: int, *, now: datetime, policy: MeetingPolicy) -> Completions:
    """Who met the rule: a confirmed place and, for every session, attended or excused by an accepted clash."""
    enrolments = [e for e in await expected_enrolments(session, run_id) if e.status is EnrolmentStatus.CONFIRMED]
    confirmed = frozenset(e.person_id for e in enrolments)
    if not enrolments:
        return Completions(confirmed, frozenset())
    met = set(confirmed)
    for run_session in await run_sessions(session, run_id):
        register = await load_register(
            session, run_session, share_percent=policy.attended_percent, now=now, enrolments=enrolments
        )
        met &= {r.person_id for r in register.rows if not r.missed}
    return Completions(confirmed, frozenset(met))


async def last_session_ended(session: AsyncSession, run_id: int) -> bool:
    sessions = await run_sessions(session, run_id)
    if not sessions:
        return False
    meeting = await session.get(MeetingSession, sessions[-1].id)
    return meeting is not None and meeting.ended_at is not None


async def _stored(session: AsyncSession, run_id: int) -> set[int]:
    return set((await session.scalars(select(Completion.person_id).where(Completion.run_id == run_id))).all())


async def _add(session: AsyncSession, run_id: int, met: frozenset[int], *, now: datetime) -> list[int]:
    already = await _stored(session, run_id)
    newly = []
    for person_id in sorted(met - already):
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


async def complete_run(session: AsyncSession, run_id: int, *, now: datetime, policy: MeetingPolicy) -> list[int]:
    """Store the completions of the run; returns the people who completed just now."""
    return await _add(session, run_id, (await completions_due(session, run_id, now=now, policy=policy)).met, now=now)


@dataclass(frozen=True)
class Recomputed:
    completed: list[int]  # person ids who completed just now
    withdrawn: list[int]  # person ids whose completion (and certificate) was taken back


async def recompute_completions(
    session: AsyncSession, run_id: int, *, now: datetime, policy: MeetingPolicy
) -> Recomputed:
    """After a correction: add who now meets the rule, take back from whoever (still holding a confirmed place)
    no longer does. People whose place went since keep what they earned: the register no longer speaks for them."""
    due = await completions_due(session, run_id, now=now, policy=policy)
    withdrawn = sorted((await _stored(session, run_id) & due.confirmed) - due.met)
    if withdrawn:
        await session.execute(
            delete(Completion).where(Completion.run_id == run_id, Completion.person_id.in_(withdrawn))
        )
        await withdraw_certificates(session, run_id=run_id, person_ids=withdrawn)
    return Recomputed(await _add(session, run_id, due.met, now=now), withdrawn)
