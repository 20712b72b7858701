"""The evaluation survey in the participant's 1:1 chat: per learning outcome "How confident are you that you
can ...?" 1-5 (the polls' confidence scale), and after the course also the then-test item per outcome and a short
satisfaction section. Optional: answer, or skip.

Values the person typed come back to them only (their own 1:1 chat, or the invoke answer Teams shows them alone),
as input values: never rendered as markdown.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.evaluation.answers import CHANGE_MAX
from classroom.evaluation.notices import OutcomeItem, SurveyNotice
from dialogs.cards.base import CardMessage, Element, card, execute, heading, submit, text
from dialogs.cards.formatting import short_time
from dialogs.evaluation.parts import (
    ANSWER,
    CHANGE,
    PACE,
    RECOMMEND,
    RELEVANCE,
    SKIP,
    SURVEY_COMMAND,
    TRAINERS,
    now_input,
    then_input,
)
from dialogs.polls.cards.answering import CONFIDENCE_CHOICES
from storage.models import EvaluationPhase

RELEVANCE_CHOICES = ("1 · Not relevant", "2", "3", "4", "5 · Very relevant")
TRAINER_CHOICES = ("1 · Poor", "2", "3", "4", "5 · Excellent")
PACE_CHOICES = (("Too slow", "too_slow"), ("About right", "about_right"), ("Too fast", "too_fast"))
RECOMMEND_CHOICES = (("Yes", "yes"), ("Maybe", "maybe"), ("No", "no"))


def _can(outcome: str) -> str:
    """ "Describe the law" -> "describe the law" (an outcome reads on after "you can")."""
    words = outcome.strip().rstrip(".")
    if len(words) > 1 and words[0].isupper() and words[1].islower():
        return words[0].lower() + words[1:]
    return words


def _scale(input_id: str, label: str, titles: tuple[str, ...], *, required: bool, value: str | None) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "isRequired": required,
        "placeholder": "Choose 1 to 5",
        "choices": [{"title": title, "value": str(n)} for n, title in enumerate(titles, start=1)],
    }
    if required:
        element["errorMessage"] = "Choose from 1 to 5."
    if value:
        element["value"] = value
    return element


def _choices(input_id: str, label: str, choices: tuple[tuple[str, str], ...], value: str | None) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "expanded",
        "choices": [{"title": title, "value": v} for title, v in choices],
    }
    if value:
        element["value"] = value
    return element


def _confidence(outcome: OutcomeItem, after: bool, typed: dict[str, str]) -> list[Element]:
    can = _can(outcome.text)
    items = [
        _scale(
            now_input(outcome.number),
            f"{outcome.number}. {'Now: how' if after else 'How'} confident are you that you can {can}?",
            CONFIDENCE_CHOICES,
            required=True,
            value=typed.get(now_input(outcome.number)),
        )
    ]
    if after:
        items.append(
            _scale(
                then_input(outcome.number),
                f"Thinking back to before the course: how confident were you then that you could {can}?",
                CONFIDENCE_CHOICES,
                required=True,
                value=typed.get(then_input(outcome.number)),
            )
        )
    return items


def _satisfaction(typed: dict[str, str]) -> list[Element]:
    change: Element = {
        "type": "Input.Text",
        "id": CHANGE,
        "label": f"What should change about the course? (optional, up to {CHANGE_MAX} characters)",
        "isMultiline": True,
        "maxLength": CHANGE_MAX,
    }
    if typed.get(CHANGE):
        change["value"] = typed[CHANGE]
    return [
        text("About the course", weight="Bolder"),
        _scale(
            RELEVANCE,
            "How relevant was it to your practice?",
            RELEVANCE_CHOICES,
            required=False,
            value=typed.get(RELEVANCE),
        ),
        _scale(TRAINERS, "How were the trainers?", TRAINER_CHOICES, required=False, value=typed.get(TRAINERS)),
        _choices(PACE, "The pace was", PACE_CHOICES, typed.get(PACE)),
        _choices(RECOMMEND, "Would you recommend it to a colleague?", RECOMMEND_CHOICES, typed.get(RECOMMEND)),
        change,
    ]


def _button(title: str, verb: str, survey: SurveyNotice, mode: str, *, style: str | None = None) -> Element:
    data = {"enrolment": survey.enrolment_id, "phase": survey.phase.value}
    args = f"{mode} {survey.enrolment_id} {survey.phase.value}"
    return execute(title, verb, {**data, "mode": mode}, style=style, fallback=submit(title, SURVEY_COMMAND, args))


def _without_inputs(action: Element) -> Element:
    """Skipping sends no answers, so the required ratings must not hold it up."""
    action["associatedInputs"] = "none"
    if isinstance(action.get("fallback"), dict):
        action["fallback"]["associatedInputs"] = "none"
    return action


def build_survey_card(
    survey: SurveyNotice, zone: ZoneInfo, *, note: str | None = None, typed: dict[str, str] | None = None
) -> CardMessage:
    after = survey.phase is EvaluationPhase.AFTER
    typed = typed or {}
    opening = (
        f"{survey.course_title} has finished: how confident are you now?"
        if after
        else f"Before {survey.course_title} begins: how confident are you?"
    )
    body: list[Element] = [
        heading(opening, size="Medium"),
        text(
            "A minute or two, and optional. Your answers are kept under a code, not your name: trainers see only "
            "totals for the group, and nothing at all for groups under five. "
            f"Open until {short_time(survey.closes_at, zone)}.",
            subtle=True,
        ),
    ]
    if note:
        body.append(text(note, weight="Bolder"))
    for outcome in survey.outcomes:
        body.extend(_confidence(outcome, after, typed))
    if after:
        body.extend(_satisfaction(typed))
    return card(
        body,
        [
            _button("Send my answers", ANSWER, survey, "answer", style="positive"),
            _without_inputs(_button("Skip", SKIP, survey, "skip")),
        ],
    )


def build_thanks_card(survey: SurveyNotice, *, skipped: bool) -> CardMessage:
    said = (
        "No problem: you won't be asked about this again."
        if skipped
        else "Thank you: your answers are saved (under a code, not your name)."
    )
    return card([heading(f"{survey.course_title} ({survey.run_code})", size="Medium"), text(said)])
