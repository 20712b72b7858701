"""A small world for meeting tests: the polls' world (run PERMX-A, four sessions 10:00-15:00 London a week apart
from Monday 14 December 2026, Zoe Rosenfield its linked trainer), its session chat linked to the run, and Alex
Wilber, Lynne Robbins and Isaiah Langer holding confirmed places."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.meetings.events import Participant
from classroom.meetings.service import MeetingService
from classroom.polls.service import PollService
from storage.models import (
    CourseRun,
    Enrolment,
    EnrolmentClashSession,
    EnrolmentStatus,
    ParticipantEvent,
    Person,
    RunSession,
)
from tests.support.enrolment import add_person, weekly_session
from tests.support.polls import ALEX, GROUP_CHAT, ISAIAH, LYNNE, MULTI_RUN, ZOE, chat_info, load_poll_world

__all__ = ["ALEX", "GROUP_CHAT", "ISAIAH", "LYNNE", "MULTI_RUN", "ZOE"]

FIRST_DAY = date(2026, 12, 14)
MEETING = "MCMxOTptZWV0aW5nX3Rlc3RAdGhyZWFkLnYyIzA="
JOIN_URL = "https://teams.microsoft.com/l/meetup-join/test-permx"
JOIN, LEAVE = ParticipantEvent.JOIN, ParticipantEvent.LEAVE
PEOPLE = {ALEX: "Alex Wilber", LYNNE: "Lynne Robbins", ISAIAH: "Isaiah Langer"}


def session_times(position: int) -> tuple[datetime, datetime]:
    return weekly_session(FIRST_DAY, position)


def at(position: int, minutes: float) -> datetime:
    """``minutes`` after session ``position``'s scheduled start."""
    return session_times(position)[0] + timedelta(minutes=minutes)


def who(*aad_object_ids: str) -> list[Participant]:
    return [Participant(a, PEOPLE.get(a, "Guest Person")) for a in aad_object_ids]


async def enrol(
    session_factory: async_sessionmaker[AsyncSession],
    aad_object_id: str,
    *,
    status: EnrolmentStatus = EnrolmentStatus.CONFIRMED,
    clash_positions: tuple[int, ...] = (),
) -> None:
    async with session_factory.begin() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == aad_object_id))
        run = await session.scalar(select(CourseRun).where(CourseRun.code == MULTI_RUN))
        assert person is not None and run is not None
        enrolment = Enrolment(run_id=run.id, person_id=person.id, status=status, price_band=1, price_pence=32000)
        session.add(enrolment)
        await session.flush()
        for position in clash_positions:
            session_id = await session.scalar(
                select(RunSession.id).where(RunSession.run_id == run.id, RunSession.position == position)
            )
            session.add(EnrolmentClashSession(enrolment_id=enrolment.id, session_id=session_id))


async def load_meeting_world(session_factory: async_sessionmaker[AsyncSession], clock, *, link: bool = True) -> None:  # type: ignore[no-untyped-def]
    await load_poll_world(session_factory)
    await add_person(session_factory, LYNNE, "Lynne Robbins")
    for person in (ALEX, LYNNE, ISAIAH):
        await enrol(session_factory, person)
    if link:
        await PollService(session_factory, clock).link(chat_info(), MULTI_RUN, by=ZOE)


async def run_whole_session(
    meetings: MeetingService,
    clock,
    position: int,
    *,
    present: dict[str, tuple[float, float]],  # type: ignore[no-untyped-def]
) -> None:
    """Session ``position`` from start to end, each person in ``present`` there from minute a to minute b."""
    start, end = session_times(position)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    for person, (a, b) in present.items():
        await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(person), at=at(position, a))
        await meetings.participants(GROUP_CHAT, MEETING, LEAVE, who(person), at=at(position, b))
    clock.set(end)
    await meetings.ended(GROUP_CHAT, MEETING, at=end)
