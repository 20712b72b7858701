"""Answer buttons on question cards: each an Action.Execute with an Action.Submit fallback sending the same answer,
a drop-down list when there are many, the question they belong to, and the card once answered."""

from __future__ import annotations

import copy

from dialogs.cards.answers import (
    ANSWER_KEY,
    ANSWER_VERB,
    MAX_ANSWER_BUTTONS,
    answer_button,
    answer_choices,
    answer_hint,
    answered_card,
    name_question,
    question_of,
)
from dialogs.cards.base import card, heading, open_url, submit, text
from tests.support.cards import card_actions


def test_an_answer_button_falls_back_to_a_submit_with_the_same_answer() -> None:
    button = answer_button("Zoom", "Zoom", style="positive")
    assert button["type"] == "Action.Execute" and button["verb"] == ANSWER_VERB
    assert button["data"][ANSWER_KEY] == "Zoom" and "verb" not in button["fallback"]["data"]
    assert button["fallback"] == {"type": "Action.Submit", "title": "Zoom", "data": button["data"], "style": "positive"}
    message = card([heading("Which platform?")], [button])
    assert "Zoom (type: Zoom)" in message.fallback_text  # a plain-text client learns what to type


def test_many_choices_become_one_labelled_list_and_one_button() -> None:
    few = [(f"Organisation {n}", f"org {n}") for n in range(1, MAX_ANSWER_BUTTONS + 1)]
    body, buttons = answer_choices(few, label="Your organisation")
    assert body == [] and [b["title"] for b in buttons] == [title for title, _ in few]

    many = [*few, ("Organisation 7", "org 7")]
    [picker], [choose] = answer_choices(many, label="Your organisation")
    assert picker["type"] == "Input.ChoiceSet" and picker["id"] == ANSWER_KEY and picker["label"]
    assert [c["value"] for c in picker["choices"]] == [answer for _, answer in many]
    assert choose["title"] == "Choose" and ANSWER_KEY not in choose["data"]  # the list's choice is the answer
    message = card([heading("Which organisation?"), picker], [choose])
    assert "- Organisation 7 (type: org 7)" in message.fallback_text
    answered = answered_card(message.card, "org 7")
    assert "Your answer: Organisation 7" in answered["fallbackText"]
    assert not [e for e in answered["body"] if e.get("type") == "Input.ChoiceSet"] and not card_actions(answered)


def test_a_question_names_its_buttons_and_the_answered_card_keeps_only_links() -> None:
    question = card(
        [heading("Shall I book your place?"), text("Monday 14 December"), answer_hint("Or type yes or no.")],
        [
            answer_button("Confirm my place", "confirm"),
            answer_button("No thanks", "no"),
            submit("Cancel", "cancel"),
            open_url("Course outline", "https://example.org/outline.pdf"),
        ],
    ).card
    assert question_of(question) is None  # not asked yet
    name_question(question, "q1")
    assert question_of(question) == "q1"
    answers = [a for a in card_actions(question) if a["type"] == "Action.Execute"]
    assert [(a["data"]["question"], a["fallback"]["data"]["question"]) for a in answers] == [("q1", "q1")] * 2
    assert "question" not in question["actions"][2]["data"]  # Cancel is a command, not an answer

    answered = answered_card(question, "confirm")
    assert [a["title"] for a in card_actions(answered)] == ["Course outline"]
    words = answered["fallbackText"]
    assert "Monday 14 December" in words and "Your answer: Confirm my place" in words
    assert "Or type yes or no." not in words
    assert answered_card(question, "my own words")["body"][-1]["inlines"][1]["text"] == "my own words"  # literal
    assert question["actions"][0]["type"] == "Action.Execute"  # the question card itself is left as it was


def test_answering_leaves_every_part_of_the_question_card_as_it_was() -> None:
    """The answered card shares what it keeps with the question's card: nothing of that card is changed."""
    question = card(
        [
            heading("Shall I book your place?"),
            {"type": "Container", "items": [text("Monday"), answer_hint("Or type yes.")]},
            {"type": "ActionSet", "actions": [answer_button("Yes", "yes"), open_url("Outline", "https://e.org/o")]},
        ],
        [answer_button("Confirm my place", "confirm"), open_url("Course outline", "https://example.org/outline.pdf")],
    ).card
    name_question(question, "q1")
    before = copy.deepcopy(question)
    answered = answered_card(question, "confirm")
    assert question == before
    assert [e["type"] for e in answered["body"]] == ["TextBlock", "Container", "ActionSet", "RichTextBlock"]
    assert [i["text"] for i in answered["body"][1]["items"]] == ["Monday"]
    assert [a["title"] for a in answered["body"][2]["actions"]] == ["Outline"]
    assert [a["title"] for a in answered["actions"]] == ["Course outline"]
