"""Two presses on one survey at once (PostgreSQL; SQLite runs one transaction at a time, so there is no race to
lose): Send and Skip, or Send twice, take turns on the enrolment's row lock; the second replaces the first instead of
breaking the unique (run, respondent key, phase) with an error."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from classroom.evaluation import answers
from classroom.evaluation.answers import SurveyAnswers
from classroom.polls.ballots import Ratings
from storage.models import EvaluationPhase, EvaluationRating, EvaluationResponse
from tests.classroom.evaluation.conftest import ALEX, enrolment_id
from tests.support.enrolment import MULTI_RUN
from tests.support.races import race


@pytest.fixture
async def alexs_place(enrolment, evaluation, session_factory, db_url) -> int:  # type: ignore[no-untyped-def]
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one transaction at a time: there is no race to lose")
    await enrolment.enrol(ALEX, MULTI_RUN)
    return await enrolment_id(session_factory, ALEX)


async def test_send_and_skip_at_once_the_skip_waits_and_withdraws_the_answer(
    alexs_place, evaluation, session_factory, engine, clock
) -> None:
    given = SurveyAnswers(now=Ratings({1: 2}))
    now, timing, before = clock.now(), evaluation.timing, EvaluationPhase.BEFORE
    _, second = await race(
        session_factory,
        engine,
        lambda s: answers.answer(s, ALEX, alexs_place, before, given, now=now, timing=timing),
        lambda s: answers.skip(s, ALEX, alexs_place, before, now=now, timing=timing),
    )
    assert not isinstance(second, BaseException), second
    async with session_factory() as session:
        [response] = (await session.scalars(select(EvaluationResponse))).all()
        assert response.skipped and (await session.scalars(select(EvaluationRating))).all() == []


async def test_send_pressed_twice_at_once_keeps_one_answer_the_second(
    alexs_place, evaluation, session_factory, engine, clock
) -> None:
    now, timing, before = clock.now(), evaluation.timing, EvaluationPhase.BEFORE
    _, second = await race(
        session_factory,
        engine,
        lambda s: answers.answer(
            s, ALEX, alexs_place, before, SurveyAnswers(now=Ratings({1: 2})), now=now, timing=timing
        ),
        lambda s: answers.answer(
            s, ALEX, alexs_place, before, SurveyAnswers(now=Ratings({1: 4})), now=now, timing=timing
        ),
    )
    assert not isinstance(second, BaseException), second
    async with session_factory() as session:
        [response] = (await session.scalars(select(EvaluationResponse))).all()
        assert not response.skipped
        assert [r.rating for r in (await session.scalars(select(EvaluationRating))).all()] == [4]
