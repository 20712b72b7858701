"""Names the evaluation cards and commands share: verbs, input ids, and reading a survey card's values (untrusted).

The confidence items are the polls' per-outcome confidence inputs (``dialogs.polls.parts.rating_input``, read by
``ballot_from_inputs``), keyed by the outcome's number; the then-test items the same under ``then-``.
"""

from __future__ import annotations

from typing import Any

from classroom.evaluation.answers import SurveyAnswers
from classroom.polls.ballots import Ratings
from dialogs.polls.parts import RATING_INPUT, ballot_from_inputs, rating_input, typed_id
from storage.models import EvaluationPhase

ANSWER, SKIP, EXPORT = "evaluation.answer", "evaluation.skip", "evaluation.export"
SURVEY_COMMAND = "survey"  # the survey buttons' Action.Submit fallback: "survey answer|skip ENROLMENT PHASE"
REPORT_COMMAND = "evaluation"  # evaluation RUN | COURSE, evaluation export RUN
THEN_INPUT = "then-"
RELEVANCE, TRAINERS, PACE, RECOMMEND, CHANGE = "relevance", "trainers", "pace", "recommend", "change"
MAX_TEXT_FROM_CARD = 2_000  # longer is cut here; the domain refuses anything over its limit, saying so
PHASES = {phase.value: phase for phase in EvaluationPhase}


def card_id(value: object) -> int | None:
    """An id a card sent back or a fallback typed: a positive integer (as a number or digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return typed_id(str(value))
    return typed_id(value) if isinstance(value, str) else None


def now_input(number: int) -> str:
    return rating_input(number)


def then_input(number: int) -> str:
    return f"{THEN_INPUT}{number}"


def _ratings(data: dict[str, Any], prefix: str) -> Ratings:
    """The ratings under ``prefix``, read the way a confidence poll's card is read."""
    keyed = {
        RATING_INPUT + key.removeprefix(prefix): value
        for key, value in list(data.items())[:100]
        if isinstance(key, str) and key.startswith(prefix)
    }
    ballot = ballot_from_inputs(keyed)
    return ballot if isinstance(ballot, Ratings) else Ratings({})


def _small(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 1:
        return int(value.strip())
    return None


def _choice(value: Any) -> str | None:
    return value[:40] if isinstance(value, str) and value else None


def survey_answers(data: dict[str, Any]) -> SurveyAnswers:
    change = data.get(CHANGE)
    return SurveyAnswers(
        now=_ratings(data, RATING_INPUT),
        then=_ratings(data, THEN_INPUT),
        relevance=_small(data.get(RELEVANCE)),
        trainers=_small(data.get(TRAINERS)),
        pace=_choice(data.get(PACE)),
        recommend=_choice(data.get(RECOMMEND)),
        change=change[:MAX_TEXT_FROM_CARD] if isinstance(change, str) else "",
    )


def typed_values(data: dict[str, Any]) -> dict[str, str]:
    """What the person put in the inputs (shown back to them alone when their answer needs fixing)."""
    return {
        key: value[:MAX_TEXT_FROM_CARD]
        for key, value in list(data.items())[:100]
        if isinstance(key, str) and isinstance(value, str) and key not in ("verb", "args", "enrolment", "phase")
    }
