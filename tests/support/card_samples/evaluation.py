"""Cards of the evaluation: the survey (before, after, after with an answer to fix, the longest text allowed),
thanks and skipped, the report (a full one, a small group held back, an SD of 0 with no effect size, counts only
while the "after" survey is open, the scheduled card that counts what people wrote) and the comparison of a course's
runs (one of them still open)."""

from __future__ import annotations

from datetime import timedelta

from classroom.evaluation.answers import CHANGE_MAX
from classroom.evaluation.notices import OutcomeItem, SurveyNotice
from classroom.evaluation.statistics import paired_summary
from classroom.evaluation.views import CourseComparison, Measure, OutcomeResult, RunReport, Satisfaction
from dialogs.evaluation.cards.report import build_comparison_card, build_report_card
from dialogs.evaluation.cards.survey import build_survey_card, build_thanks_card
from dialogs.evaluation.parts import CHANGE, RELEVANCE, now_input
from storage.models import EvaluationPhase
from tests.support.card_samples import CardSample, SampleContext

OUTCOMES = [
    "Understand the legal framework for permanence",
    "Analyse realistic options for a child, side by side",
    "Plan life-story work with children",
]
SEVEN = [(2, 4), (3, 4), (2, 3), (3, 5), (4, 4), (2, 4), (3, 3)]
CHANGES = [
    "More time on case law, less on the history",
    "*Breakout rooms* were too short <b>really</b>",
    "Send the slides before the session",
    "A worked example of a balance sheet",
    "Nothing: it was excellent",
]


def survey(context: SampleContext, phase: EvaluationPhase) -> SurveyNotice:
    return SurveyNotice(
        enrolment_id=7,
        phase=phase,
        course_title="Permanence Planning for Children (Four sessions)",
        run_code="PERM4-A",
        outcomes=[OutcomeItem(number=n, text=text) for n, text in enumerate(OUTCOMES, start=1)],
        closes_at=context.now + timedelta(days=14),
    )


def report(pairs: list[tuple[int, int]], *, satisfied: bool, code: str = "PERM4-A") -> RunReport:
    return RunReport(
        run_code=code,
        course_code="PERM4",
        course_title="Permanence Planning for Children (Four sessions)",
        last_session_ends_at=None,
        confirmed=12,
        before_answers=len(pairs) + 1,
        after_answers=len(pairs),
        min_group=5,
        outcomes=[
            OutcomeResult(
                number=n,
                text=text,
                pre_post=Measure.of(paired_summary(pairs), 5),
                then_now=Measure.of(paired_summary([(b - 1 if b > 1 else b, a) for b, a in pairs]), 5),
            )
            for n, text in enumerate(OUTCOMES, start=1)
        ],
        satisfaction=Satisfaction(
            relevance={"1": 0, "2": 0, "3": 1, "4": 3, "5": 3},
            trainers={"1": 0, "2": 0, "3": 0, "4": 2, "5": 5},
            pace={"too_slow": 1, "about_right": 5, "too_fast": 1},
            recommend={"yes": 6, "maybe": 1, "no": 0},
            changes=sorted(CHANGES, key=str.casefold),
        )
        if satisfied
        else None,
    )


async def samples(context: SampleContext) -> list[CardSample]:
    zone = context.zone
    before, after = survey(context, EvaluationPhase.BEFORE), survey(context, EvaluationPhase.AFTER)
    survey_card, report_card = build_survey_card.__name__, build_report_card.__name__
    full = report(SEVEN, satisfied=True)
    still_open = full.model_copy(
        update={"outcomes": [], "satisfaction": None, "published_at": context.now + timedelta(days=14)}
    )
    assert full.satisfaction is not None
    scheduled = full.model_copy(
        update={
            "satisfaction": full.satisfaction.model_copy(update={"changes": [], "changes_not_carried": len(CHANGES)})
        }
    )
    return [
        CardSample("evaluation/before", survey_card, build_survey_card(before, zone)),
        CardSample("evaluation/after", survey_card, build_survey_card(after, zone)),
        CardSample(
            "evaluation/after-to-fix",
            survey_card,
            build_survey_card(
                after,
                zone,
                note="Nearly there: please rate every learning outcome (before the course) from 1 to 5.",
                typed={now_input(1): "4", RELEVANCE: "5", CHANGE: "ŵ" * CHANGE_MAX},
            ),
        ),
        CardSample("evaluation/thanks", build_thanks_card.__name__, build_thanks_card(after, skipped=False)),
        CardSample("evaluation/skipped", build_thanks_card.__name__, build_thanks_card(before, skipped=True)),
        CardSample("evaluation/report", report_card, build_report_card(full, zone)),
        CardSample(
            "evaluation/report-small-group", report_card, build_report_card(report(SEVEN[:2], satisfied=False), zone)
        ),
        CardSample(
            "evaluation/report-sd-zero",
            report_card,
            build_report_card(report([(2, 3)] * 5, satisfied=True), zone),
        ),
        CardSample("evaluation/report-survey-open", report_card, build_report_card(still_open, zone)),
        CardSample("evaluation/report-scheduled", report_card, build_report_card(scheduled, zone)),
        CardSample(
            "evaluation/comparison",
            build_comparison_card.__name__,
            build_comparison_card(
                CourseComparison(
                    course_code="PERM4",
                    course_title=full.course_title,
                    runs=[
                        full,
                        report(SEVEN[:3], satisfied=False, code="PERM4-B"),
                        still_open.model_copy(update={"run_code": "PERM4-C"}),
                    ],
                ),
                zone,
            ),
        ),
    ]
