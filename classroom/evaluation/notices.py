"""The evaluation's outbox rows: the survey card in a participant's 1:1 chat ("before" and "after"), and the
report card for the run's trainers and coordinators.

One survey per enrolment and phase, under a key without any time (``evaluation:<enrolment>:<phase>``): a moved
last session re-plans the row still waiting (cancel, then enqueue under the same key), while a card already sent
is never sent again.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from classroom.evaluation.views import RunReport
from classroom.outbox import Notice, NoticePart
from storage.models import EvaluationPhase

SURVEY = "evaluation.survey"
REPORT = "evaluation.report"


class OutcomeItem(NoticePart):
    number: int  # 1, 2, ... in the course's order
    text: str


class SurveyNotice(Notice):
    """Everything the survey card shows; the card sends back only the enrolment and phase, and the answers."""

    KIND: ClassVar[str] = SURVEY
    enrolment_id: int
    phase: EvaluationPhase
    course_title: str
    run_code: str
    outcomes: list[OutcomeItem]
    closes_at: datetime


class ReportNotice(Notice):
    KIND: ClassVar[str] = REPORT
    report: RunReport


def survey_prefix(enrolment_id: int) -> str:
    return f"evaluation:{enrolment_id}:"


def survey_key(enrolment_id: int, phase: EvaluationPhase) -> str:
    return f"{survey_prefix(enrolment_id)}{phase.value}"


def report_key(run_id: int) -> str:
    return f"evaluation-report:{run_id}"
