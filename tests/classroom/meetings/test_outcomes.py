"""The register after its join and leave events are purged (retention): it reads the lines measured at the
session's end, so nobody turns absent; corrections still win; export and erasure cover the stored lines."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from classroom.meetings.privacy import MeetingsData
from classroom.privacy.personal_data import Retention
from classroom.privacy.retention import ATTENDANCE_EVENTS
from storage.models import AttendanceEvent, AttendanceOutcome, AttendanceStatus, Person
from tests.support.meetings import ALEX, LYNNE, MULTI_RUN, run_whole_session, session_times
from tests.support.polls import TRAINER_AAD

ATTENDED, PARTLY, ABSENT = AttendanceStatus.ATTENDED, AttendanceStatus.PARTLY, AttendanceStatus.ABSENT


async def test_an_old_register_reads_the_measured_lines_once_its_events_are_purged(
    meetings, session_factory, clock
) -> None:
    await run_whole_session(meetings, clock, 1, present={ALEX: (0, 300), LYNNE: (0, 100)})
    async with session_factory() as session:
        lynne = await session.scalar(select(Person.id).where(Person.aad_object_id == LYNNE))
    assert lynne is not None
    await meetings.correct(MULTI_RUN, 1, {lynne: ATTENDED}, by=TRAINER_AAD, by_name="Zoe Rosenfield")
    _, end = session_times(1)
    clock.set(end + timedelta(days=800))
    async with session_factory.begin() as session:
        purged = await MeetingsData().purge(session, clock.now(), Retention({ATTENDANCE_EVENTS: timedelta(days=730)}))
    assert purged[ATTENDANCE_EVENTS] == 4
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(AttendanceEvent)) == 0
    register = await meetings.register(MULTI_RUN, 1, by=TRAINER_AAD)
    rows = {r.name: r for r in register.rows}
    assert (rows["Alex Wilber"].status, rows["Alex Wilber"].present) == (ATTENDED, timedelta(minutes=300))
    assert (rows["Lynne Robbins"].measured, rows["Lynne Robbins"].status) == (PARTLY, ATTENDED)  # her correction
    assert rows["Isaiah Langer"].status is ABSENT
    report = await meetings.attendance(MULTI_RUN, by=TRAINER_AAD)
    assert {line.name: line.statuses[0][0] for line in report.people}["Alex Wilber"] is ATTENDED


async def test_the_stored_lines_are_exported_and_erased_with_the_person(meetings, session_factory, clock) -> None:
    from classroom.privacy.personal_data import Subject

    await run_whole_session(meetings, clock, 1, present={ALEX: (0, 300)})
    async with session_factory() as session:
        alex = await session.scalar(select(Person.id).where(Person.aad_object_id == ALEX))
        subject = Subject(aad_object_id=ALEX, person_id=alex)
        section = await MeetingsData().export(session, subject)
    assert section is not None and any("measured attended, 300 minutes present" in line for line in section.lines)
    from classroom.privacy.personal_data import Erasure

    async with session_factory.begin() as session:
        erasure = Erasure(
            subject=subject,
            markers=frozenset({ALEX}),
            pseudonym="erased-0001",
            now=clock.now(),
            keep_records=timedelta(days=2190),
        )
        await MeetingsData().erase(session, erasure)
    async with session_factory() as session:
        left = await session.scalar(
            select(func.count()).select_from(AttendanceOutcome).where(AttendanceOutcome.person_id == alex)
        )
    assert left == 0
