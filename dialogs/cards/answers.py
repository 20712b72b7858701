"""Answer buttons for the questions a dialog asks: press one instead of typing the answer.

Teams shows no suggested replies in group chats, channels or the emulator, so every choice a question offers is
on its card. An answer button is an ``Action.Execute`` (verb ``ANSWER_VERB``) with an ``Action.Submit`` fallback
carrying the same data, for Teams clients without Universal Actions; either way the answer reaches the question
in progress exactly as if it had been typed (``dialogs.answer_prompt.AnswerPrompt``), and typing still works.
A pressed ``Action.Execute`` is answered with the question card in its answered state (:func:`answered_card`):
the buttons gone and the answer shown, so an answered question offers nothing more to press.

Each button's data names its question (``QUESTION_KEY``, filled in when the question is asked), so a button
left on an earlier question's card is never taken as the answer to a later one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dialogs.cards.base import Element, plain_text_of, text

ANSWER_VERB = "answer"
ANSWER_KEY = "args"  # the answer, as the text that would give it if typed
QUESTION_KEY = "question"  # which question the button answers ("" until it is asked)
MAX_ANSWER_BUTTONS = 6  # more choices than this become a drop-down list with one button
_HINT_ID = "answer_hint"  # a line telling people how to answer, dropped once they have


def answer_button(title: str, answer: str, *, style: str | None = None) -> Element:
    """A button that answers the question with ``answer``; ``title`` is what the person reads on it."""
    data = {ANSWER_KEY: answer, QUESTION_KEY: ""}
    return _execute_with_submit_fallback(title, data, style)


def answer_choices(
    choices: Sequence[tuple[str, str]], *, label: str, button: str = "Choose"
) -> tuple[list[Element], list[Element]]:
    """The body elements and actions that offer ``choices`` (title, answer): a button each, or, when there are
    more than Teams shows comfortably, a labelled drop-down list and one ``button`` that sends the choice."""
    if len(choices) <= MAX_ANSWER_BUTTONS:
        return [], [answer_button(title, answer) for title, answer in choices]
    picker: Element = {
        "type": "Input.ChoiceSet",
        "id": ANSWER_KEY,  # its value arrives in the button's data as the answer
        "label": label,
        "style": "compact",
        "isRequired": True,
        "errorMessage": "Choose one first",
        "choices": [{"title": title, "value": answer} for title, answer in choices],
    }
    return [picker], [_execute_with_submit_fallback(button, {QUESTION_KEY: ""}, "positive")]


def answer_several(
    choices: Sequence[tuple[str, str]], *, label: str, button: str = "Send"
) -> tuple[list[Element], list[Element]]:
    """For a question that takes one or more of ``choices`` (title, answer) at once: a labelled list of boxes to
    tick and one ``button`` that sends them, as the ticked answers separated by commas ("1,4")."""
    picker: Element = {
        "type": "Input.ChoiceSet",
        "id": ANSWER_KEY,  # its value arrives in the button's data as the answer
        "label": label,
        "style": "expanded",
        "isMultiSelect": True,
        "isRequired": True,
        "errorMessage": "Tick at least one first",
        "choices": [{"title": title, "value": answer} for title, answer in choices],
    }
    return [picker], [_execute_with_submit_fallback(button, {QUESTION_KEY: ""}, "positive")]


def answer_hint(words: str) -> Element:
    """How to answer ("or type its number"), shown until the question is answered."""
    return {**text(words, subtle=True), "id": _HINT_ID}


def _execute_with_submit_fallback(title: str, data: dict[str, str], style: str | None) -> Element:
    fallback: Element = {"type": "Action.Submit", "title": title, "data": dict(data)}
    action: Element = {"type": "Action.Execute", "title": title, "verb": ANSWER_VERB, "data": data}
    if style:
        action["style"] = fallback["style"] = style
    action["fallback"] = fallback
    return action


def _is_answer_action(node: dict[str, Any]) -> bool:
    data = node.get("data")
    return str(node.get("type", "")).startswith("Action.") and isinstance(data, dict) and QUESTION_KEY in data


def _elements(node: Any, wanted: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """Every element of ``node`` that ``wanted`` accepts, wherever it is nested (fallbacks included)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if wanted(node):
            found.append(node)
        for value in node.values():
            found.extend(_elements(value, wanted))
    elif isinstance(node, list):
        for item in node:
            found.extend(_elements(item, wanted))
    return found


def _answer_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every answer button of a card, and their fallbacks."""
    return _elements(card, _is_answer_action)


def name_question(card: dict[str, Any], question: str) -> None:
    """Mark every answer button of ``card`` as answering ``question`` (done when the question is asked)."""
    for action in _answer_actions(card):
        action["data"][QUESTION_KEY] = question


def question_of(card: dict[str, Any]) -> str | None:
    """The question ``card``'s answer buttons answer; None when it has none (or they were never named)."""
    for action in _answer_actions(card):
        named = action["data"].get(QUESTION_KEY)
        if isinstance(named, str) and named:
            return named
    return None


def _choice_title(card: dict[str, Any], answer: str) -> str:
    """What the person read on the button (or in the list) that gives ``answer``; the answer if none does. Several
    boxes ticked in a list ("1,4") read as their titles, joined."""
    for action in _answer_actions(card):
        if action["data"].get(ANSWER_KEY) == answer and isinstance(action.get("title"), str):
            return str(action["title"])
    for picker in _elements(card, lambda node: node.get("type") == "Input.ChoiceSet" and node.get("id") == ANSWER_KEY):
        titles = {choice.get("value"): str(choice.get("title", "")) for choice in picker.get("choices", [])}
        if answer in titles:
            return titles[answer]
        ticked = answer.split(",") if picker.get("isMultiSelect") else []
        if ticked and all(value in titles for value in ticked):
            return ", ".join(titles[value] for value in ticked)
    return answer


def _without_answering(items: list[Any]) -> list[Any]:
    """``items`` without the ways to answer and act on the question: its buttons (links stay), the drop-down
    list and the hint how to answer."""
    kept = []
    for item in items:
        if not isinstance(item, dict):
            kept.append(item)
            continue
        kind = str(item.get("type", ""))
        if item.get("id") in (_HINT_ID, ANSWER_KEY) or (kind.startswith("Action.") and kind != "Action.OpenUrl"):
            continue
        if item.get("type") == "ActionSet":
            item = {**item, "actions": _without_answering(item.get("actions", []))}
            if not item["actions"]:
                continue
        elif isinstance(item.get("items"), list):
            item = {**item, "items": _without_answering(item["items"])}
        kept.append(item)
    return kept


def answered_card(card: dict[str, Any], answer: str) -> dict[str, Any]:
    """The question ``card`` once answered with ``answer``: nothing left to press but links, and the answer
    shown (literally: it may be someone's own words, a prefilled name kept, say).

    ``card`` is left as it was; the answered card is new where it differs and shares the elements it keeps with
    it (copying the whole card, as this did, cost about 100 us of a press's CPU for a terms card): neither card is
    to be changed afterwards (nothing does; a reply is copied as it is sent).
    """
    answered = dict(card)  # _without_answering makes new lists and changed elements: it never alters card's
    answered["body"] = _without_answering(answered.get("body", []))
    actions = _without_answering(answered.pop("actions", []))
    answered["body"].append(
        {
            "type": "RichTextBlock",
            "spacing": "Medium",
            "inlines": [
                {"type": "TextRun", "text": "Your answer: ", "isSubtle": True},
                {"type": "TextRun", "text": _choice_title(card, answer), "weight": "Bolder"},
            ],
        }
    )
    if actions:
        answered["actions"] = actions
    answered["fallbackText"] = plain_text_of(answered)
    return answered
