"""Trainers correct the register (someone's laptop died and they followed on the phone of a colleague; someone
joined under a guest account): each change is recorded with who made it and when, and the newest counts. After the
run's last session, a correction can complete someone, or take a completion (and its certificate) back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import InvalidInput
from classroom.meetings.completion import last_session_ended, recompute_completions
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.register import SessionRegister, load_register
from classroom.meetings.reports import run_and_session
from classroom.text import bounded
from storage.models import AttendanceCorrection, AttendanceStatus


@dataclass(frozen=True)
class Corrected:
    register: SessionRegister  # as it stands after the correction
    changed: int  # how many statuses changed
    withdrawn: tuple[str, ...] = ()  # the names of whoever lost their completion (and certificate) by it


async def correct_register(
    session: AsyncSession,
    run_code: str,
    position: int,
    statuses: Mapping[int, AttendanceStatus],
    *,
    by: str,
    by_name: str,
    now: datetime,
    policy: MeetingPolicy,
) -> Corrected:
    """Apply the trainer's statuses (person id to status; people not on the register are refused). After the last
    session, completions are recomputed both ways. Raises NotFound, NotAllowed, InvalidInput."""
    run, run_session = await run_and_session(session, run_code, position, by)
    register = await load_register(session, run_session, share_percent=policy.attended_percent, now=now)
    current = {r.person_id: r.status for r in register.rows}
    if set(statuses) - set(current):
        raise InvalidInput("that person is not on this session's register")
    changed = 0
    for person_id, status in statuses.items():
        if current[person_id] is status:
            continue
        session.add(
            AttendanceCorrection(
                session_id=run_session.id,
                person_id=person_id,
                status=status,
                corrected_by_aad_object_id=by,
                corrected_by_name=bounded(by_name, 200),
                corrected_at=now,
            )
        )
        changed += 1
    withdrawn: tuple[str, ...] = ()
    if changed:
        await session.flush()
        if await last_session_ended(session, run.id):
            recomputed = await recompute_completions(session, run.id, now=now, policy=policy)
            names = {r.person_id: r.name for r in register.rows}  # whoever can lose one holds a place: a row
            withdrawn = tuple(names.get(p, "") for p in recomputed.withdrawn)
        register = await load_register(session, run_session, share_percent=policy.attended_percent, now=now)
    return Corrected(register, changed, withdrawn)
