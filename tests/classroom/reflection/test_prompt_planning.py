"""Reflection prompts are planned with each session's reminders: one per confirmed enrolment and session, due at
the session's stored end plus the delay, re-planned when the session moves, none for an accepted clash session or
a withdrawn place, and never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from classroom.enrolment.enrolments import Clash
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from classroom.reflection.notices import PROMPT
from classroom.reflection.planning import plan_prompt
from classroom.reflection.policy import ReflectionTiming
from storage.models import CourseRun, NotificationStatus, RunSession
from tests.classroom.reflection.conftest import ALEX, FIRST_DAY, ISAIAH
from tests.support.enrolment import (
    COORDINATOR_AAD,
    MULTI_RUN,
    TRAINER_AAD,
    add_person,
    delivered,
    load_world,
    london,
    outbox,
    weekly_session,
    world,
)

MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)


def _prompts(rows) -> dict[int, datetime]:  # type: ignore[no-untyped-def]
    """session position -> due time, of the prompts (not the nudges)."""
    return {r.payload["session_position"]: r.due_at for r in rows if not r.payload["nudge"]}


def _nudges(rows) -> dict[int, datetime]:  # type: ignore[no-untyped-def]
    return {r.payload["session_position"]: r.due_at for r in rows if r.payload["nudge"]}


async def test_each_session_gets_a_prompt_15_minutes_after_its_end_and_one_nudge_3_days_later(
    enrolment, session_factory
) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    rows = await outbox(session_factory, PROMPT)
    assert {r.recipient_aad_object_id for r in rows} == {ALEX}
    ends = {position: weekly_session(FIRST_DAY, position)[1] for position in range(1, 5)}
    assert _prompts(rows) == {p: end + 15 * MINUTE for p, end in ends.items()}
    assert _nudges(rows) == {p: end + 15 * MINUTE + 3 * DAY for p, end in ends.items()}
    first = next(r for r in rows if r.payload["session_position"] == 1 and not r.payload["nudge"])
    assert first.payload["course_title"] == "Permanence in four sessions"
    assert [o["text"] for o in first.payload["outcomes"]] == ["understand permanence"]
    assert [q["key"] for q in first.payload["questions"]] == [
        "covered",
        "learnt",
        "impact",
        "try_first",
        "peer",
        "feeling",
    ]
    assert first.conversation_key is None  # the 1:1 chat, never a group


async def test_the_delay_and_the_nudge_come_from_the_policy(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, "Alex Wilber")
    timing = ReflectionTiming(delay=timedelta(hours=1), nudge_after=timedelta(days=5))
    service = EnrolmentService(session_factory, clock, EnrolmentPolicy(reflection=timing))
    await service.enrol(ALEX, MULTI_RUN)
    rows = await outbox(session_factory, PROMPT)
    end = weekly_session(FIRST_DAY, 1)[1]
    assert _prompts(rows)[1] == end + timedelta(hours=1)
    assert _nudges(rows)[1] == end + timedelta(hours=1) + 5 * DAY


async def test_a_prompt_already_sent_is_never_sent_again_when_its_session_moves(
    enrolment, session_factory, clock
) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    assert await delivered(session_factory, PROMPT, ALEX) == 8  # every prompt and nudge marked sent, as Teams has them
    new_day = FIRST_DAY + timedelta(weeks=1, days=2)
    await enrolment.move_session(
        COORDINATOR_AAD,
        MULTI_RUN,
        2,
        london(new_day, time(13)),
        london(new_day, time(16)),
        was=weekly_session(FIRST_DAY, 2),
    )
    assert await outbox(session_factory, PROMPT) == []  # the same keys: nothing new queued


async def test_a_session_moved_before_its_end_is_prompted_at_its_new_end(enrolment, session_factory) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    new_day = FIRST_DAY + timedelta(weeks=1, days=2)
    await enrolment.move_session(
        COORDINATOR_AAD,
        MULTI_RUN,
        2,
        london(new_day, time(13)),
        london(new_day, time(16)),
        was=weekly_session(FIRST_DAY, 2),
    )
    rows = await outbox(session_factory, PROMPT)
    assert _prompts(rows)[2] == london(new_day, time(16)) + 15 * MINUTE
    assert _nudges(rows)[2] == london(new_day, time(16)) + 15 * MINUTE + 3 * DAY
    assert len(_prompts(rows)) == 4  # one per session, still
    cancelled = await outbox(session_factory, PROMPT, status=NotificationStatus.CANCELLED)
    assert cancelled == []  # re-planned under the same keys: the old rows now hold the new time


async def test_daylight_saving_week_prompts_at_the_local_end_plus_the_delay(session_factory, clock) -> None:
    # Clocks go forward on Sunday 28 March 2027: session 1 (22 March) ends 15:00 GMT, session 2 (29 March) 15:00 BST.
    await load_world(session_factory, world(date(2027, 3, 22)))
    await add_person(session_factory, ALEX, "Alex Wilber")
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    await EnrolmentService(session_factory, clock).enrol(ALEX, MULTI_RUN)
    prompts = _prompts(await outbox(session_factory, PROMPT))
    assert prompts[1] == datetime(2027, 3, 22, 15, 15, tzinfo=UTC)
    assert prompts[2] == datetime(2027, 3, 29, 14, 15, tzinfo=UTC)  # 15:15 BST


async def test_no_prompt_for_a_session_in_an_accepted_clash(enrolment, session_factory) -> None:
    pending = await enrolment.enrol(ISAIAH, MULTI_RUN, clash=Clash((3,), "court"))
    assert await outbox(session_factory, PROMPT) == []  # nothing while the clash is under review
    await enrolment.decide_clash(TRAINER_AAD, pending.id, accept=True)
    assert sorted(_prompts(await outbox(session_factory, PROMPT))) == [1, 2, 4]


async def test_a_withdrawn_place_gets_no_prompt(enrolment, session_factory) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    await enrolment.withdraw(ALEX, MULTI_RUN)
    assert await outbox(session_factory, PROMPT) == []
    cancelled = await outbox(session_factory, PROMPT, status=NotificationStatus.CANCELLED)
    assert len(cancelled) == 8


async def test_a_session_long_over_when_the_place_is_confirmed_gets_no_prompt(
    enrolment, session_factory, clock
) -> None:
    pending = await enrolment.enrol(ISAIAH, MULTI_RUN, clash=Clash((3,), "court"))
    clock.set(weekly_session(FIRST_DAY, 1)[1] + 2 * DAY)  # the review took until after session 1
    await enrolment.decide_clash(TRAINER_AAD, pending.id, accept=True)
    assert sorted(_prompts(await outbox(session_factory, PROMPT))) == [2, 4]


async def test_a_session_just_over_when_the_place_is_confirmed_is_still_prompted(
    enrolment, session_factory, clock
) -> None:
    pending = await enrolment.enrol(ISAIAH, MULTI_RUN, clash=Clash((3,), "court"))
    clock.set(weekly_session(FIRST_DAY, 1)[1] + timedelta(hours=2))
    await enrolment.decide_clash(TRAINER_AAD, pending.id, accept=True)
    prompts = _prompts(await outbox(session_factory, PROMPT))
    assert sorted(prompts) == [1, 2, 4] and prompts[1] < clock.now()  # due already: goes at once


async def test_planning_again_as_a_redelivered_request_would_queues_nothing_more(
    enrolment, session_factory, clock
) -> None:
    view = await enrolment.enrol(ALEX, MULTI_RUN)
    before = {r.dedupe_key for r in await outbox(session_factory, PROMPT, status=None)}
    async with session_factory.begin() as session:
        run_session = await session.scalar(
            select(RunSession).where(RunSession.position == 1, RunSession.run.has(code=MULTI_RUN))
        )
        run = await session.scalar(select(CourseRun).where(CourseRun.code == MULTI_RUN))
        assert run_session is not None and run is not None
        queued = await plan_prompt(
            session,
            enrolment_id=view.id,
            course_id=run.course_id,
            run_code=run.code,
            run_session=run_session,
            session_count=4,
            recipient=ALEX,
            now=clock.now(),
            timing=ReflectionTiming(),
        )
    assert queued == 0
    assert {r.dedupe_key for r in await outbox(session_factory, PROMPT, status=None)} == before
