"""How a poll is answered on its card, per kind: a button per option (single choice, quiz) or per rating 1-5;
boxes to tick (multiple choice), a text box (open text) or a 1-5 list per learning outcome (confidence), each
with one Send button. Every button is ``Action.Execute`` with an ``Action.Submit`` fallback that does the same
(``vote POLL OPTION``, or ``vote POLL answer`` with the card's inputs)."""

from __future__ import annotations

from typing import Any

from classroom.polls.ballots import TEXT_MAX
from classroom.polls.views import PollView
from dialogs.cards.base import Element, execute, submit
from dialogs.polls.parts import (
    ANSWER,
    ANSWER_WORD,
    MAX_TEXT_FROM_CARD,
    PICKS_INPUT,
    TEXT_INPUT,
    VOTE,
    VOTE_COMMAND,
    rating_input,
)
from storage.models import PollKind

CONFIDENCE_CHOICES = ("1 · Not confident", "2", "3", "4", "5 · Very confident")
SEND = "Send my answer"


def _option_buttons(view: PollView) -> list[Element]:
    buttons: list[Element] = []
    for number, option in enumerate(view.options, start=1):
        if view.kind is PollKind.RATING:
            end = view.low_label if option.text == "1" else view.high_label if option.text == "5" else None
            title = f"{option.text} · {end}" if end else option.text
        else:
            title = f"{number}. {option.text}"  # numbered: never the same as another button, however typed
        vote = execute(
            title,
            VOTE,
            {"poll": view.id, "option": option.id},
            fallback=submit(title, VOTE_COMMAND, f"{view.id} {option.id}"),
        )
        buttons.append({"type": "ActionSet", "actions": [vote]})
    return buttons


def _send(view: PollView) -> Element:
    send = execute(SEND, ANSWER, {"poll": view.id}, fallback=submit(SEND, VOTE_COMMAND, f"{view.id} {ANSWER_WORD}"))
    return {"type": "ActionSet", "actions": [send]}


def _picks(view: PollView) -> list[Element]:
    most = view.max_picks or len(view.options)
    return [
        {
            "type": "Input.ChoiceSet",
            "id": PICKS_INPUT,
            "label": f"Your answers (pick up to {most})",
            "isMultiSelect": True,
            "style": "expanded",
            "isRequired": True,
            "errorMessage": "Pick at least one answer.",
            "choices": [{"title": f"{n}. {o.text}", "value": str(o.id)} for n, o in enumerate(view.options, start=1)],
        },
        _send(view),
    ]


def _text_box() -> Element:
    return {
        "type": "Input.Text",
        "id": TEXT_INPUT,
        "label": f"Your answer (up to {TEXT_MAX} characters)",
        "isMultiline": True,
        "maxLength": TEXT_MAX,
        "isRequired": True,
        "errorMessage": "Write a short answer first.",
    }


def _ratings(view: PollView) -> list[Element]:
    return [
        {
            "type": "Input.ChoiceSet",
            "id": rating_input(option.id),
            "label": f"{n}. {option.text}",
            "style": "compact",
            "isRequired": True,
            "errorMessage": "Rate this outcome from 1 to 5.",
            "placeholder": "How confident are you? (1-5)",
            "choices": [{"title": title, "value": str(value)} for value, title in enumerate(CONFIDENCE_CHOICES, 1)],
        }
        for n, option in enumerate(view.options, start=1)
    ]


def _filled(inputs: list[Element], typed: dict[str, Any]) -> list[Element]:
    """The inputs showing what the person sent (their own view only), so a refused answer is not lost and an
    accepted one can be changed from where it is."""
    for element in inputs:
        value = typed.get(element.get("id", ""))
        if isinstance(value, str) and len(value) <= MAX_TEXT_FROM_CARD:
            element["value"] = value
    return inputs


def answer_controls(view: PollView, typed: dict[str, Any] | None = None) -> list[Element]:
    """``typed``: what this person sent with Send my answer (their own view), shown in the inputs again."""
    if view.kind is PollKind.MULTIPLE_CHOICE:
        return _filled(_picks(view), typed or {})
    if view.kind is PollKind.OPEN_TEXT:
        return _filled([_text_box(), _send(view)], typed or {})
    if view.kind is PollKind.CONFIDENCE:
        return _filled([*_ratings(view), _send(view)], typed or {})
    return _option_buttons(view)


def change_hint(view: PollView) -> str:
    if view.kind in (PollKind.MULTIPLE_CHOICE, PollKind.OPEN_TEXT, PollKind.CONFIDENCE):
        return " · change it above and send again"
    return " · press another answer to change it"
