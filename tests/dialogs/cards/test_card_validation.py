"""Every card the bot can send is one Teams will show: Adaptive Cards 1.5 or lower, accepted by the official
renderer library, every input labelled, small enough for a Teams message, with a plain-text fallback, and
every button sending a command the bot answers."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from dialogs.cards.base import CARD_CONTENT_TYPE
from dialogs.cards.messages import card_activity
from tests.support.card_samples import CardSample, Verbs, answered_verbs, build_card_samples, card_builders
from tests.support.cards import card_actions, refresh_action, renderer_problems
from tests.support.node_tools import require_node_package, run_node

TEAMS_MAX_CARD_VERSION = (1, 5)
MAX_CARD_MESSAGE_BYTES = 28 * 1024  # Teams' limit for a card message (a message overall is ~100 KB)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[CardSample]:
    return build_card_samples(tmp_path_factory.mktemp("cards"))


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_walk(item))
    return found


def card_problems(card: dict[str, Any], fallback_text: str, verbs: Verbs) -> list[str]:
    """What would stop Teams (or a person using a screen reader, or a plain-text client) using this card."""
    problems = _whole_card_problems(card, fallback_text)
    # A drop-down list of answers sends its choice as the answer of the button that goes with it.
    answer_input = any(str(e.get("type")).startswith("Input.") and e.get("id") == verbs.answer_key for e in _walk(card))
    for element in _walk(card):
        problems.extend(_element_problems(element, verbs, answer_input))
    return problems


def _card_version(card: dict[str, Any]) -> tuple[int, ...]:
    """The card's ``version`` as numbers, or ``()`` if it is missing or not numbers."""
    try:
        return tuple(int(part) for part in str(card.get("version", "")).split("."))
    except ValueError:
        return ()


def _whole_card_problems(card: dict[str, Any], fallback_text: str) -> list[str]:
    """The card's type, version and fallback text, and ids unique across its body."""
    problems = []
    if card.get("type") != "AdaptiveCard":
        problems.append(f"type is {card.get('type')!r}, not AdaptiveCard")
    card_version = _card_version(card)
    if not card_version or card_version > TEAMS_MAX_CARD_VERSION:
        problems.append(f"version {card.get('version')!r}: Teams renders Adaptive Cards up to 1.5")
    if not fallback_text.strip() or card.get("fallbackText") != fallback_text:
        problems.append("no plain-text fallbackText (or it differs from the message's fallback text)")
    ids = [element["id"] for element in _walk(card.get("body", [])) if "id" in element]
    if len(ids) != len(set(ids)):
        problems.append(f"ids are not unique: {sorted(ids)}")
    # A screen reader lists a card's buttons by title alone: two alike can't be told apart. (An Action.Execute's
    # fallback is the same button, for clients without Universal Actions.)
    titles = [str(action.get("title", "")) for action in card_actions(card)]
    if len(titles) != len(set(titles)):
        problems.append(f"button titles are not unique: {sorted(titles)}")
    return problems


def _element_problems(element: dict[str, Any], verbs: Verbs, answer_input: bool) -> list[str]:
    """Inputs must be labelled and reach the bot; every button must do something the bot or Teams handles."""
    kind = str(element.get("type"))
    if kind.startswith("Input."):
        return _input_problems(kind, element)
    if kind == "Action.Submit":
        return _submit_problems(element, verbs, answer_input)
    if kind == "Action.Execute":
        return _execute_problems(element, verbs)
    if kind == "Action.OpenUrl" and urlsplit(str(element.get("url", ""))).scheme != "https":
        return [f"Action.OpenUrl {element.get('title')!r} opens {element.get('url')!r}, not an https link"]
    if kind in ("TextBlock", "FactSet"):
        return _raw_link_problems(element)
    return []


_RAW_LINK = re.compile(r"https?://\S+")


def _raw_link_problems(element: dict[str, Any]) -> list[str]:
    """Our own text shows no raw links (what people typed, shown literally, may): a link is a button, which a
    screen reader announces by its title instead of spelling out the address."""
    shown = [str(element.get("text", ""))] + [str(f.get("value", "")) for f in element.get("facts", [])]
    return [
        f"{element['type']} shows a raw link {link!r}; use an Action.OpenUrl"
        for t in shown
        for link in _RAW_LINK.findall(t)
    ]


def _input_problems(kind: str, element: dict[str, Any]) -> list[str]:
    """A screen reader reads an input's label; without an id its value never reaches the bot."""
    problems = []
    if not str(element.get("label", "")).strip():
        problems.append(f"{kind} {element.get('id')!r} has no label")
    if not str(element.get("id", "")).strip():
        problems.append(f"{kind} has no id, so its value never reaches the bot")
    return problems


def _submit_problems(element: dict[str, Any], verbs: Verbs, answer_input: bool) -> list[str]:
    """An Action.Submit arrives as a message: a command to run, or the answer to a question (in its data, or
    chosen in the card's list of answers)."""
    raw = element.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    answer = isinstance(data.get(verbs.answer_key), str) or answer_input
    answers = verbs.answer_key is not None and "verb" not in data and answer
    if answers or data.get("verb") in verbs.commands:
        return []
    return [f"Action.Submit {element.get('title')!r} sends {data.get('verb')!r}, which the bot does not answer"]


def _execute_problems(element: dict[str, Any], verbs: Verbs) -> list[str]:
    """An Action.Execute arrives as an adaptiveCard/action invoke, routed by its verb."""
    if element.get("verb") in verbs.card_actions:
        return []
    return [f"Action.Execute {element.get('title')!r} has verb {element.get('verb')!r}, which no card action handles"]


@pytest.fixture(scope="module")
def verbs() -> Verbs:
    return answered_verbs()


def test_every_card_builder_has_samples(samples: list[CardSample]) -> None:
    """A new card builder fails here until it has samples, so every card the bot can send is checked."""
    sampled = {sample.builder for sample in samples}
    missing = sorted(card_builders() - sampled)
    assert not missing, (
        f"card builders with no sample: {', '.join(missing)}. Add samples in a module of tests/support/card_samples/ "
        "(one per feature, `async def samples(context)`), so these cards are validated and rendered too."
    )
    assert sampled <= card_builders()


def card_actions_without_samples(samples: list[CardSample], verbs: Verbs) -> set[str]:
    """Card-action verbs the bot answers that no sample card carries: buttons no test draws or validates."""
    sampled = {
        action.get("verb")
        for sample in samples
        for action in [*card_actions(sample.message.card), refresh_action(sample.message.card) or {}]
        if action.get("type") == "Action.Execute"
    }
    return set(verbs.card_actions) - sampled


def test_every_card_action_has_a_sample(samples: list[CardSample], verbs: Verbs) -> None:
    """A feature's new ``Action.Execute`` verb fails here until a sample card carries its button."""
    assert card_actions_without_samples(samples, verbs) == set()


def test_a_card_action_without_a_sample_fails_the_check(samples: list[CardSample]) -> None:
    from bot.features import FEATURES
    from tests.support import example_feature

    with_example = answered_verbs([*FEATURES, example_feature.feature])
    assert card_actions_without_samples(samples, with_example) == {example_feature.WAVE}


def test_every_card_is_valid_for_teams(samples: list[CardSample], verbs: Verbs) -> None:
    problems = {
        sample.name: found
        for sample in samples
        if (found := card_problems(sample.message.card, sample.message.fallback_text, verbs))
    }
    assert problems == {}


def test_the_checks_catch_what_they_look_for(verbs: Verbs) -> None:
    broken = {
        "type": "AdaptiveCard",
        "version": "1.6",
        "body": [
            {"type": "Input.Text", "id": "comment"},
            {"type": "Input.Text", "id": "comment", "label": "Comment"},
            {"type": "FactSet", "facts": [{"title": "Join", "value": "https://teams.microsoft.com/l/meetup-join/x"}]},
        ],
        "actions": [
            {"type": "Action.Submit", "title": "Go", "data": {"verb": "launch-rocket"}},
            {"type": "Action.Execute", "title": "Assign", "verb": "rocket.assign"},
            {"type": "Action.OpenUrl", "title": "Outline", "url": "http://example.org/outline.pdf"},
            {"type": "Action.OpenUrl", "title": "Outline", "url": "https://example.org/outline.pdf"},
        ],
    }
    problems = " | ".join(card_problems(broken, "", verbs))
    for expected in (
        "version '1.6'",
        "no plain-text fallbackText",
        "ids are not unique",
        "'comment' has no label",
        "sends 'launch-rocket'",
        "has verb 'rocket.assign', which no card action handles",
        "not an https link",
        "button titles are not unique",
        "shows a raw link 'https://teams.microsoft.com/l/meetup-join/x'",
    ):
        assert expected in problems


def test_every_card_fits_in_a_teams_message(samples: list[CardSample]) -> None:
    sizes = {}
    for sample in samples:
        activity = card_activity(sample.message).serialize()
        assert activity["attachments"][0]["contentType"] == CARD_CONTENT_TYPE
        assert activity["summary"], f"{sample.name}: no summary for notifications"
        sizes[sample.name] = len(json.dumps(activity, ensure_ascii=False).encode("utf-8"))
    too_big = {name: size for name, size in sizes.items() if size >= MAX_CARD_MESSAGE_BYTES}
    assert too_big == {}
    assert max(sizes.values()) > 4096  # the details card really is measured, not an empty stand-in


def test_official_renderer_accepts_every_card(samples: list[CardSample]) -> None:
    """npm ``adaptivecards`` (pinned) parses each card as 1.5 and runs its validateProperties()."""
    require_node_package("adaptivecards")
    results = run_node(
        "validate_cards.cjs", stdin=[{"name": sample.name, "card": sample.message.card} for sample in samples]
    )
    assert [result["name"] for result in results] == [sample.name for sample in samples]
    cards = {sample.name: sample.message.card for sample in samples}
    problems = {r["name"]: renderer_problems(cards[r["name"]], r["problems"]) for r in results}
    assert {name: found for name, found in problems.items() if found} == {}


def test_a_teams_chart_needs_a_fallback_element() -> None:
    require_node_package("adaptivecards")
    chart = {"type": "Chart.HorizontalBar", "data": [{"x": "A", "y": 2}]}
    cards = {
        "with": {**chart, "fallback": {"type": "TextBlock", "text": "A: 2"}},
        "without": chart,
    }
    results = run_node(
        "validate_cards.cjs",
        stdin=[
            {"name": name, "card": {"type": "AdaptiveCard", "version": "1.5", "body": [element]}}
            for name, element in cards.items()
        ],
    )
    found = {
        r["name"]: renderer_problems({"type": "AdaptiveCard", "body": [cards[r["name"]]]}, r["problems"])
        for r in results
    }
    assert found["with"] == [] and any("Chart.HorizontalBar" in p for p in found["without"])


def test_official_renderer_reports_what_teams_cannot_show() -> None:
    require_node_package("adaptivecards")
    [result] = run_node(
        "validate_cards.cjs",
        stdin=[
            {
                "name": "broken",
                "card": {
                    "type": "AdaptiveCard",
                    "version": "1.5",
                    "body": [{"type": "TextBlock", "text": "x", "size": "Enormous"}, {"type": "Carousel", "pages": []}],
                    "actions": [{"type": "Action.OpenUrl", "title": "Outline"}],
                },
            }
        ],
    )
    problems = " | ".join(result["problems"])
    assert 'Invalid value "Enormous" for property "size"' in problems
    assert "Carousel" in problems  # a 1.6 element: Teams would show the fallback
    assert 'Property "url" must be set' in problems
