"""The attendance of a run for its trainers and coordinators (``attendance RUN``): every session's register and
each participant's line across the sessions, with who completed; and the same as CSV rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import NotFound
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.register import SessionRegister, expected_enrolments, load_register, run_sessions
from classroom.polls.authorisation import require_poll_runner, run_by_code
from storage.models import AttendanceStatus, Completion, Course, CourseRun, RunSession


@dataclass(frozen=True)
class PersonLine:
    person_id: int
    name: str
    statuses: tuple[tuple[AttendanceStatus, bool], ...]  # per session: status, excused
    completed: bool


@dataclass(frozen=True)
class RunAttendance:
    run_code: str
    course_title: str
    sessions: tuple[tuple[RunSession, SessionRegister], ...]
    people: tuple[PersonLine, ...]
    share_percent: int


async def run_and_session(
    session: AsyncSession, run_code: str, position: int, aad_object_id: str
) -> tuple[CourseRun, RunSession]:
    """The run (its trainers, coordinators and admins only) and its session ``position``."""
    run = await run_by_code(session, run_code)
    await require_poll_runner(session, run, aad_object_id)
    run_session = await session.scalar(
        select(RunSession).where(RunSession.run_id == run.id, RunSession.position == position)
    )
    if run_session is None:
        raise NotFound(f"{run.code} has no session {position}")
    return run, run_session


async def run_attendance(
    session: AsyncSession, run_code: str, aad_object_id: str, *, now: datetime, policy: MeetingPolicy
) -> RunAttendance:
    """Raises NotFound, NotAllowed."""
    run = await run_by_code(session, run_code)
    await require_poll_runner(session, run, aad_object_id)
    course = await session.get_one(Course, run.course_id)
    enrolments = await expected_enrolments(session, run.id)
    registers = []
    for run_session in await run_sessions(session, run.id):
        registers.append(
            (
                run_session,
                await load_register(
                    session, run_session, share_percent=policy.attended_percent, now=now, enrolments=enrolments
                ),
            )
        )
    completed = set((await session.scalars(select(Completion.person_id).where(Completion.run_id == run.id))).all())
    people = []
    for enrolment in sorted(enrolments, key=lambda e: (e.person.name.casefold(), e.person_id)):
        statuses = []
        for _run_session, register in registers:
            row = next(r for r in register.rows if r.person_id == enrolment.person_id)
            statuses.append((row.status, row.excused))
        people.append(
            PersonLine(enrolment.person_id, enrolment.person.name, tuple(statuses), enrolment.person_id in completed)
        )
    return RunAttendance(run.code, course.title, tuple(registers), tuple(people), policy.attended_percent)


def csv_rows(report: RunAttendance) -> list[list[str]]:
    """Header, then one row per participant: each session's status (``excused`` for an accepted clash), and
    whether they completed."""
    header = ["Participant"] + [f"Session {s.position}" for s, _ in report.sessions] + ["Completed"]
    rows = [header]
    for line in report.people:
        cells = [line.name]
        cells += [
            "excused" if excused and status is not AttendanceStatus.ATTENDED else status.value
            for status, excused in line.statuses
        ]
        cells.append("yes" if line.completed else "no")
        rows.append(cells)
    return rows
