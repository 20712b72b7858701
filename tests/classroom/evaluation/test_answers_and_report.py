"""Answers and the report: stored under a respondent key, matched before/after per person, figures as worked out
by hand, nothing for fewer than five matched pairs (the report says why), nobody named in the report or its CSV,
and only the run's trainers and the coordinators see it."""

from __future__ import annotations

from datetime import timedelta
from math import isclose

import pytest
from sqlalchemy import select

from classroom.errors import NotAllowed, NotFound
from classroom.evaluation.answers import CHANGE_MAX, SurveyAnswers
from classroom.evaluation.errors import SurveyClosed, SurveyIncomplete
from classroom.evaluation.notices import REPORT
from classroom.evaluation.views import RunReport
from classroom.polls.ballots import Ratings
from storage.models import EvaluationPhase, EvaluationRating, EvaluationResponse
from tests.classroom.evaluation.conftest import ALEX, FIRST_DAY, ISAIAH, PEOPLE, enrolment_id
from tests.support.enrolment import (
    COORDINATOR_AAD,
    MULTI,
    MULTI_RUN,
    OTHER_TRAINER_AAD,
    TRAINER_AAD,
    outbox,
    weekly_session,
)

LAST_END = weekly_session(FIRST_DAY, 4)[1]
CLOSES = LAST_END + timedelta(days=14)  # the "after" survey closes (after_open): the report's figures are published
FIVE = list(PEOPLE)[:5]
# Outcome 1 for five people: before, after ("now"), then-test ("thinking back").
BEFORE, AFTER, THEN = (2, 3, 3, 4, 2), (4, 4, 3, 5, 4), (1, 3, 2, 3, 2)
RELEVANCE = (5, 4, 4, None, 3)
PACE = ("about_right", "about_right", "too_fast", None, "about_right")
RECOMMEND = ("yes", "yes", "maybe", "yes", "yes")
CHANGES = ('=HYPERLINK("http://evil")', "*More* case law", "", "Shorter breaks", "")


async def _answer_after(evaluation, session_factory, people) -> None:  # type: ignore[no-untyped-def]
    for n, aad in enumerate(people):
        mine = await enrolment_id(session_factory, aad)
        given = SurveyAnswers(
            now=Ratings({1: AFTER[n]}),
            then=Ratings({1: THEN[n]}),
            relevance=RELEVANCE[n],
            pace=PACE[n],
            recommend=RECOMMEND[n],
            change=CHANGES[n],
        )
        await evaluation.answer(aad, mine, EvaluationPhase.AFTER, given)


async def _answer_all(enrolment, evaluation, session_factory, clock, people, closed=True, after=None) -> None:  # type: ignore[no-untyped-def]
    """Everyone answers "before" and, just after the last session, "after" (or only the first ``after`` of them);
    ``closed``: then the clock moves on to the "after" survey's close, when the report has its figures."""
    for aad in people:
        await enrolment.enrol(aad, MULTI_RUN)
    for n, aad in enumerate(people):
        mine = await enrolment_id(session_factory, aad)
        await evaluation.answer(aad, mine, EvaluationPhase.BEFORE, SurveyAnswers(now=Ratings({1: BEFORE[n]})))
    clock.set(LAST_END + timedelta(minutes=10))
    await _answer_after(evaluation, session_factory, people[:after])
    if closed:
        clock.set(CLOSES)


async def test_five_matched_pairs_give_the_figures_worked_out_by_hand(
    enrolment, evaluation, session_factory, clock
) -> None:
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE)
    report = await evaluation.report(TRAINER_AAD, MULTI_RUN)
    assert isinstance(report, RunReport)
    assert (report.confirmed, report.before_answers, report.after_answers) == (5, 5, 5)
    [outcome] = report.outcomes
    assert outcome.text == "understand permanence"
    # changes 2 1 0 1 2: mean 1.2; squares of deviations .64 .04 1.44 .04 .64 = 2.8, /4 = .7, SD .83666;
    # d_z = 1.2 / .83666 = 1.43427; g_z = d_z x (1 - 3/15) = 1.14742.
    pre = outcome.pre_post
    assert pre.shown and pre.n == 5
    assert (pre.mean_before, pre.mean_after, pre.mean_change, pre.share_improved) == (2.8, 4.0, 1.2, 0.8)
    assert isclose(pre.sd_change or 0, 0.83666, abs_tol=1e-5)
    assert isclose(pre.d_z or 0, 1.43427, abs_tol=1e-5) and isclose(pre.g_z or 0, 1.14742, abs_tol=1e-5)
    # then-test: changes 3 1 1 2 2: mean 1.8; the same spread (.7): d_z = 2.15141, g_z = 1.72113.
    then = outcome.then_now
    assert (then.mean_before, then.mean_change, then.share_improved) == (2.2, 1.8, 1.0)
    assert isclose(then.d_z or 0, 2.15141, abs_tol=1e-5) and isclose(then.g_z or 0, 1.72113, abs_tol=1e-5)
    satisfaction = report.satisfaction
    assert satisfaction is not None and not report.small_group
    assert satisfaction.relevance == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 1}
    assert satisfaction.pace == {"too_slow": 0, "about_right": 3, "too_fast": 1}
    assert satisfaction.recommend == {"yes": 4, "maybe": 1, "no": 0}
    assert satisfaction.changes == ["*More* case law", '=HYPERLINK("http://evil")', "Shorter breaks"]


async def test_two_matched_pairs_show_only_n_and_say_why(enrolment, evaluation, session_factory, clock) -> None:
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE[:2])
    report = await evaluation.report(COORDINATOR_AAD, MULTI_RUN)
    assert isinstance(report, RunReport)
    [outcome] = report.outcomes
    assert (outcome.pre_post.n, outcome.pre_post.shown, outcome.pre_post.mean_change) == (2, False, None)
    assert (outcome.then_now.n, outcome.then_now.shown) == (2, False)
    assert report.satisfaction is None and report.small_group


async def test_before_and_after_of_one_person_match_and_the_tables_name_nobody(
    enrolment, evaluation, session_factory, clock
) -> None:
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE)
    async with session_factory() as session:
        responses = (await session.scalars(select(EvaluationResponse))).all()
        ratings = (await session.scalars(select(EvaluationRating))).all()
    keys = {r.phase: set() for r in responses}
    for response in responses:
        keys[response.phase].add(response.respondent_key)
    assert keys[EvaluationPhase.BEFORE] == keys[EvaluationPhase.AFTER] and len(keys[EvaluationPhase.BEFORE]) == 5
    ids = {str(await enrolment_id(session_factory, aad)) for aad in FIVE}
    stored = " ".join(f"{r.respondent_key} {r.change_text}" for r in responses) + " ".join(r.outcome for r in ratings)
    assert not any(aad in stored or name in stored for aad, name in PEOPLE.items())
    assert not any(r.respondent_key in ids for r in responses)  # a keyed hash, not the enrolment id


async def test_the_report_and_its_csv_name_nobody(enrolment, evaluation, session_factory, clock) -> None:
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE)
    report = await evaluation.report(TRAINER_AAD, MULTI_RUN)
    issued = await evaluation.issue_export_link(TRAINER_AAD, MULTI_RUN)
    file = await evaluation.export_file(issued.token)
    assert file.filename == f"{MULTI_RUN}-evaluation.csv"
    assert file.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    csv_text = file.content.decode("utf-8-sig")
    for words in (report.model_dump_json(), csv_text):
        assert not any(aad in words or name in words for aad, name in PEOPLE.items())
    assert "1.43" in csv_text and "1.15" in csv_text  # d_z and g_z of outcome 1
    assert "'=HYPERLINK" in csv_text  # a typed formula is defused
    clock.advance(timedelta(hours=2))
    with pytest.raises(NotFound):  # the link has expired
        await evaluation.export_file(issued.token)
    with pytest.raises(NotFound):
        await evaluation.export_file("A" * 43)


async def test_the_small_group_rule_holds_in_the_csv(enrolment, evaluation, session_factory, clock) -> None:
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE[:2])
    issued = await evaluation.issue_export_link(COORDINATOR_AAD, MULTI_RUN)
    csv_text = (await evaluation.export_file(issued.token)).content.decode("utf-8-sig")
    assert "fewer than 5 matched pairs: not shown (privacy)" in csv_text
    assert "Satisfaction: fewer than 5 answers, not shown (privacy)" in csv_text
    assert "Shorter breaks" not in csv_text and "HYPERLINK" not in csv_text


async def test_only_the_runs_trainers_and_coordinators_see_the_report(enrolment, evaluation, session_factory, clock):
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE[:1])
    for outsider in (OTHER_TRAINER_AAD, ALEX, "aad-never-met"):
        with pytest.raises(NotAllowed):
            await evaluation.report(outsider, MULTI_RUN)
        with pytest.raises(NotAllowed):
            await evaluation.issue_export_link(outsider, MULTI_RUN)
    comparison = await evaluation.report(COORDINATOR_AAD, MULTI)
    assert [r.run_code for r in comparison.runs] == [MULTI_RUN]  # type: ignore[union-attr]
    assert comparison.runs[0].outcomes[0].pre_post.n == 1  # type: ignore[union-attr]
    with pytest.raises(NotAllowed):
        await evaluation.report(OTHER_TRAINER_AAD, MULTI)  # a trainer of no run of the course
    with pytest.raises(NotFound):
        await evaluation.report(COORDINATOR_AAD, "NOSUCH")


async def test_while_the_after_survey_is_open_the_report_gives_only_counts_and_when_its_figures_come(
    enrolment, evaluation, session_factory, clock
) -> None:
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE, closed=False, after=4)
    fourth = await evaluation.report(TRAINER_AAD, MULTI_RUN)
    await _answer_after(evaluation, session_factory, FIVE)  # the fifth answers (and the others answer again)
    clock.set(CLOSES - timedelta(seconds=1))  # the last moment an "after" answer is still taken
    fifth = await evaluation.report(TRAINER_AAD, MULTI_RUN)
    assert isinstance(fourth, RunReport) and isinstance(fifth, RunReport)
    assert (fourth.after_answers, fifth.after_answers) == (4, 5)
    for report in (fourth, fifth):  # nothing tells the fifth person's answers from the other four's
        assert report.withheld and report.published_at == CLOSES
        assert report.outcomes == [] and report.satisfaction is None
    issued = await evaluation.issue_export_link(TRAINER_AAD, MULTI_RUN)
    csv_text = (await evaluation.export_file(issued.token)).content.decode("utf-8-sig")
    assert "Before answers,5,After answers,5" in csv_text
    assert "Figures are published on 18/01/2027 at 15:00 (UK time)" in csv_text
    assert "Matched pairs" not in csv_text and "Shorter breaks" not in csv_text and "1.43" not in csv_text
    comparison = await evaluation.report(COORDINATOR_AAD, MULTI)
    assert [r.withheld for r in comparison.runs] == [True]  # type: ignore[union-attr]

    clock.set(CLOSES)  # the survey has closed: the figures are published
    published = await evaluation.report(TRAINER_AAD, MULTI_RUN)
    assert isinstance(published, RunReport) and not published.withheld
    assert published.outcomes[0].pre_post.n == 5 and published.satisfaction is not None
    csv_text = (await evaluation.export_file(issued.token)).content.decode("utf-8-sig")
    assert "1.43" in csv_text and "Shorter breaks" in csv_text and "Figures are published" not in csv_text


async def test_the_scheduled_report_card_counts_what_people_wrote_but_does_not_carry_it(
    enrolment, evaluation, session_factory, clock
) -> None:
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE)
    clock.set(CLOSES + timedelta(minutes=15))
    async with session_factory.begin() as session:
        await evaluation.reports_job()(session)
    rows = await outbox(session_factory, REPORT)
    assert rows
    for row in rows:
        satisfaction = row.payload["report"]["satisfaction"]
        assert satisfaction["changes"] == [] and satisfaction["changes_not_carried"] == 3
        assert satisfaction["recommend"] == {"yes": 4, "maybe": 1, "no": 0}
        assert "Shorter breaks" not in str(row.payload) and "case law" not in str(row.payload)
    live = await evaluation.report(TRAINER_AAD, MULTI_RUN)  # ``evaluation RUN`` reads them live
    assert live.satisfaction is not None and "Shorter breaks" in live.satisfaction.changes  # type: ignore[union-attr]


async def test_a_survey_is_its_owners_alone_and_open_only_in_its_window(
    enrolment, evaluation, session_factory, clock
) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    mine = await enrolment_id(session_factory, ALEX)
    with pytest.raises(NotAllowed):
        await evaluation.answer(ISAIAH, mine, EvaluationPhase.BEFORE, SurveyAnswers(now=Ratings({1: 3})))
    with pytest.raises(SurveyClosed):  # "after" opens when the last session begins
        await evaluation.answer(ALEX, mine, EvaluationPhase.AFTER, SurveyAnswers(now=Ratings({1: 3})))
    clock.set(weekly_session(FIRST_DAY, 1)[1])
    with pytest.raises(SurveyClosed):  # "before" closes when the first session ends
        await evaluation.answer(ALEX, mine, EvaluationPhase.BEFORE, SurveyAnswers(now=Ratings({1: 3})))
    clock.set(LAST_END + timedelta(days=14))
    with pytest.raises(SurveyClosed):
        await evaluation.answer(ALEX, mine, EvaluationPhase.AFTER, SurveyAnswers(now=Ratings({1: 3})))


async def test_answers_that_do_not_fit_are_refused_saying_why(enrolment, evaluation, session_factory, clock) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    mine = await enrolment_id(session_factory, ALEX)
    clock.set(LAST_END)
    after = EvaluationPhase.AFTER
    for given, said in (
        (SurveyAnswers(now=Ratings({1: 4})), "before the course"),  # the then-test item left out
        (SurveyAnswers(now=Ratings({1: 6}), then=Ratings({1: 2})), "1 to 5"),
        (SurveyAnswers(now=Ratings({1: 4, 2: 4}), then=Ratings({1: 2})), "every learning outcome"),
        (SurveyAnswers(now=Ratings({1: 4}), then=Ratings({1: 2}), pace="glacial"), "not one of the choices"),
        (SurveyAnswers(now=Ratings({1: 4}), then=Ratings({1: 2}), change="x" * (CHANGE_MAX + 1)), "at most 500"),
    ):
        with pytest.raises(SurveyIncomplete, match=said):
            await evaluation.answer(ALEX, mine, after, given)
    async with session_factory() as session:
        assert (await session.scalars(select(EvaluationResponse))).all() == []


async def test_answering_again_replaces_and_skipping_withdraws(enrolment, evaluation, session_factory, clock) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    mine = await enrolment_id(session_factory, ALEX)
    await evaluation.answer(ALEX, mine, EvaluationPhase.BEFORE, SurveyAnswers(now=Ratings({1: 2})))
    await evaluation.answer(ALEX, mine, EvaluationPhase.BEFORE, SurveyAnswers(now=Ratings({1: 3})))
    async with session_factory() as session:
        assert [r.rating for r in (await session.scalars(select(EvaluationRating))).all()] == [3]
    await evaluation.skip(ALEX, mine, EvaluationPhase.BEFORE)
    async with session_factory() as session:
        [response] = (await session.scalars(select(EvaluationResponse))).all()
        assert response.skipped and (await session.scalars(select(EvaluationRating))).all() == []


async def test_the_report_card_goes_to_the_trainers_and_coordinators_once_after_the_run(
    enrolment, evaluation, session_factory, clock
) -> None:
    await _answer_all(enrolment, evaluation, session_factory, clock, FIVE[:2], closed=False)
    job = evaluation.reports_job()
    for not_yet in (timedelta(days=6), timedelta(days=7, minutes=15), timedelta(days=13, hours=23, minutes=59)):
        clock.set(LAST_END + not_yet)  # report_delay (7 days) has passed, but the "after" survey is still open
        async with session_factory.begin() as session:
            await job(session)
        assert await outbox(session_factory, REPORT) == []
    clock.set(CLOSES + timedelta(minutes=15))
    for _ in range(2):
        async with session_factory.begin() as session:
            await job(session)
    rows = await outbox(session_factory, REPORT)
    assert sorted(r.recipient_aad_object_id for r in rows) == sorted([TRAINER_AAD, COORDINATOR_AAD])
    assert rows[0].payload["report"]["outcomes"][0]["pre_post"] == {
        "n": 2,
        "shown": False,
        "mean_before": None,
        "mean_after": None,
        "mean_change": None,
        "share_improved": None,
        "sd_change": None,
        "d_z": None,
        "g_z": None,
        "undefined": None,
    }
