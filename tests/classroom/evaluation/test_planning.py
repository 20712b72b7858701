"""The surveys are planned beside the reminders: "before" when a place is confirmed (or at the first session's
start, as configured), never once the course has begun; "after" at the last session's end, moved with it,
cancelled with a withdrawn place; ``send_after_survey`` (the last meeting ended) sends it now, once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from classroom.enrolment.enrolments import Clash
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from classroom.evaluation.answers import SurveyAnswers
from classroom.evaluation.notices import SURVEY
from classroom.evaluation.planning import send_after_survey
from classroom.evaluation.policy import BeforeAt, EvaluationTiming
from classroom.polls.ballots import Ratings
from classroom.reflection.notices import PROMPT
from storage.models import (
    CourseRun,
    Enrolment,
    EvaluationPhase,
    NotificationStatus,
    OutboxNotification,
    Reflection,
    ReflectionStatus,
    RunSession,
)
from tests.classroom.evaluation.conftest import ALEX, FIRST_DAY, ISAIAH, enrolment_id
from tests.support.enrolment import COORDINATOR_AAD, MULTI_RUN, TRAINER_AAD, delivered, london, outbox, weekly_session

FIRST_START = weekly_session(FIRST_DAY, 1)[0]
LAST_END = weekly_session(FIRST_DAY, 4)[1]


def _by_phase(rows) -> dict[str, datetime]:  # type: ignore[no-untyped-def]
    return {r.payload["phase"]: r.due_at for r in rows}


async def _run_id(session_factory) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int(await session.scalar(select(CourseRun.id).where(CourseRun.code == MULTI_RUN)) or 0)


async def test_a_confirmed_place_gets_before_now_and_after_at_the_last_sessions_end(
    enrolment, session_factory, clock
) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    rows = await outbox(session_factory, SURVEY)
    assert _by_phase(rows) == {"before": clock.now(), "after": LAST_END}
    assert {r.recipient_aad_object_id for r in rows} == {ALEX} and {r.conversation_key for r in rows} == {None}
    before = next(r for r in rows if r.payload["phase"] == "before")
    assert before.payload["outcomes"] == [{"number": 1, "text": "understand permanence"}]
    assert before.expires_at == weekly_session(FIRST_DAY, 1)[1]  # answerable until the first session ends
    after = next(r for r in rows if r.payload["phase"] == "after")
    assert after.expires_at == LAST_END + timedelta(days=14)


async def test_the_before_survey_can_go_at_the_first_sessions_start_instead(session_factory, clock, enrolment) -> None:
    timing = EvaluationTiming(before_at=BeforeAt.FIRST_SESSION)
    service = EnrolmentService(session_factory, clock, EnrolmentPolicy(evaluation=timing))
    await service.enrol(ALEX, MULTI_RUN)
    assert _by_phase(await outbox(session_factory, SURVEY)) == {"before": FIRST_START, "after": LAST_END}


async def test_confirmed_late_after_the_first_session_began_gets_no_before(enrolment, session_factory, clock) -> None:
    # A place under review (a clash with session 2) is accepted by the trainer once session 1 has begun.
    pending = await enrolment.enrol(ALEX, MULTI_RUN, clash=Clash((2,), "Court on the 21st"))
    assert await outbox(session_factory, SURVEY) == []  # nothing until the place is confirmed
    clock.set(FIRST_START + timedelta(minutes=5))
    await enrolment.decide_clash(TRAINER_AAD, pending.id, accept=True)
    assert _by_phase(await outbox(session_factory, SURVEY)) == {"after": LAST_END}


async def test_a_withdrawn_place_cancels_what_was_not_sent(enrolment, session_factory) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    await enrolment.enrol(ISAIAH, MULTI_RUN)
    await enrolment.withdraw(ALEX, MULTI_RUN)
    assert {r.recipient_aad_object_id for r in await outbox(session_factory, SURVEY)} == {ISAIAH}
    cancelled = await outbox(session_factory, SURVEY, status=NotificationStatus.CANCELLED)
    assert sorted(r.payload["phase"] for r in cancelled) == ["after", "before"]
    assert {r.recipient_aad_object_id for r in cancelled} == {ALEX}


async def test_a_moved_last_session_moves_the_after_survey(enrolment, session_factory) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    await delivered(session_factory, SURVEY, ALEX)  # the "before" went (and so would "after" be marked: re-plan it)
    async with session_factory.begin() as session:
        after = await session.scalar(select(OutboxNotification).where(OutboxNotification.dedupe_key.like("%:after")))
        after.status = NotificationStatus.PENDING  # only the "before" has gone; the "after" is still waiting
        after.activity_id = None
    new_day = FIRST_DAY + timedelta(weeks=3, days=2)
    await enrolment.move_session(
        COORDINATOR_AAD,
        MULTI_RUN,
        4,
        london(new_day, time(13)),
        london(new_day, time(16)),
        was=weekly_session(FIRST_DAY, 4),
    )
    rows = await outbox(session_factory, SURVEY)
    assert _by_phase(rows) == {"after": london(new_day, time(16))}  # one row, at the new end; "before" not re-sent


async def test_a_moved_middle_session_changes_nothing(enrolment, session_factory) -> None:
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
    assert _by_phase(await outbox(session_factory, SURVEY))["after"] == LAST_END


async def test_send_after_survey_sends_now_once_and_not_again_after_the_scheduled_one(
    enrolment, session_factory, clock
) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    await enrolment.enrol(ISAIAH, MULTI_RUN)
    run_id = await _run_id(session_factory)
    async with session_factory.begin() as session:  # an earlier session's meeting ending is not the course's end
        assert await send_after_survey(session, run_id=run_id, now=weekly_session(FIRST_DAY, 3)[1]) == 0
    early = LAST_END - timedelta(minutes=40)  # the last meeting ended 40 minutes early
    async with session_factory.begin() as session:
        assert await send_after_survey(session, run_id=run_id, now=early) == 2
    async with session_factory.begin() as session:
        assert await send_after_survey(session, run_id=run_id, now=early + timedelta(minutes=1)) == 0
    after = [r for r in await outbox(session_factory, SURVEY) if r.payload["phase"] == "after"]
    assert sorted((r.recipient_aad_object_id, r.due_at) for r in after) == [(ALEX, early), (ISAIAH, early)]
    await delivered(session_factory, SURVEY)
    async with session_factory.begin() as session:  # the scheduled time comes, or Teams says so again
        assert await send_after_survey(session, run_id=run_id, now=LAST_END) == 0
    assert await outbox(session_factory, SURVEY) == []


async def test_an_answered_survey_is_not_planned_again(enrolment, evaluation, session_factory, clock) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    await delivered(session_factory, SURVEY, ALEX)
    clock.set(LAST_END + timedelta(minutes=1))
    mine = await enrolment_id(session_factory, ALEX)
    await evaluation.answer(ALEX, mine, EvaluationPhase.AFTER, SurveyAnswers(now=Ratings({1: 4}), then=Ratings({1: 2})))
    run_id = await _run_id(session_factory)
    async with session_factory.begin() as session:
        assert await send_after_survey(session, run_id=run_id, now=clock.now()) == 0


async def test_a_place_taken_again_is_not_asked_what_it_answered_or_skipped(
    enrolment, evaluation, session_factory
) -> None:
    """A place given up and taken again in one step on the catalogue kept in memory (``common_places``) reads the
    person's answers and reflections only when the run has any, and plans neither a survey they answered nor a
    prompt for a session they reflected on (or skipped), as the ORM path would not."""
    await enrolment.quote(ALEX, MULTI_RUN)  # the catalogue kept in memory: the place taken in one step
    await enrolment.enrol(ALEX, MULTI_RUN)
    mine = await enrolment_id(session_factory, ALEX)
    await evaluation.answer(ALEX, mine, EvaluationPhase.BEFORE, SurveyAnswers(now=Ratings({1: 2})))
    async with session_factory.begin() as session:
        person_id, run_id = (
            await session.execute(select(Enrolment.person_id, Enrolment.run_id).where(Enrolment.id == mine))
        ).one()
        first = await session.scalar(select(RunSession.id).where(RunSession.run_id == run_id, RunSession.position == 1))
        session.add(
            Reflection(
                person_id=person_id, enrolment_id=mine, run_id=run_id, session_id=first, status=ReflectionStatus.SKIPPED
            )
        )
    await enrolment.withdraw(ALEX, MULTI_RUN)
    again = await enrolment.enrol(ALEX, MULTI_RUN)
    assert again.id == mine
    surveys = await outbox(session_factory, SURVEY, recipient=ALEX)
    assert [row.payload["phase"] for row in surveys] == [EvaluationPhase.AFTER.value]
    prompts = await outbox(session_factory, PROMPT, recipient=ALEX)
    assert sorted(row.payload["session_position"] for row in prompts) == [2, 2, 3, 3, 4, 4]  # each with its nudge

    await enrolment.enrol(ISAIAH, MULTI_RUN)  # someone with nothing answered gets both surveys, every prompt
    assert len(await outbox(session_factory, SURVEY, recipient=ISAIAH)) == 2
    assert len(await outbox(session_factory, PROMPT, recipient=ISAIAH)) == 8
