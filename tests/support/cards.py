"""Reading cards in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def elements(
    card: dict[str, Any], wanted: Callable[[dict[str, Any]], bool], *, fallbacks: bool = True
) -> list[dict[str, Any]]:
    """Every element of an Adaptive Card that ``wanted`` accepts, wherever it is nested, top to bottom; without
    ``fallbacks``, not the elements a client shows only when it cannot show the one they stand in for."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if wanted(node):
                found.append(node)
            for key, value in node.items():
                if fallbacks or key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of an Adaptive Card (top-level, in ActionSets, in containers), top to bottom; an
    ``Action.Execute``'s ``Action.Submit`` fallback is not another button, nor is the card's ``refresh`` action
    (Teams runs it to fetch a per-user view; nobody presses it)."""
    buttons = {key: value for key, value in card.items() if key != "refresh"}
    return elements(buttons, lambda node: str(node.get("type", "")).startswith("Action."), fallbacks=False)


def refresh_action(card: dict[str, Any]) -> dict[str, Any] | None:
    refresh = card.get("refresh")
    return refresh.get("action") if isinstance(refresh, dict) else None


# Teams-only chart elements (Adaptive Cards renderers elsewhere do not know them): a card may carry one only with
# a fallback element, which every other client shows instead.
TEAMS_CHARTS = frozenset(
    {
        "Chart.Donut",
        "Chart.Pie",
        "Chart.VerticalBar",
        "Chart.VerticalBar.Grouped",
        "Chart.HorizontalBar",
        "Chart.HorizontalBar.Stacked",
        "Chart.Line",
        "Chart.Gauge",
    }
)


def renderer_problems(card: dict[str, Any], problems: list[str]) -> list[str]:
    """The official renderer's problems with ``card``, less its note about each Teams chart that has a fallback
    element (that note is what the renderer says for every element it does not know; the fallback is what it
    then shows). A chart without a fallback element stays a problem."""
    charts = elements(card, lambda node: node.get("type") in TEAMS_CHARTS)
    with_fallback = {chart["type"] for chart in charts if isinstance(chart.get("fallback"), dict)}
    without = {chart["type"] for chart in charts if not isinstance(chart.get("fallback"), dict)}
    accepted = {
        f'parse: Unknown element type "{kind}". Fallback will be used if present.' for kind in with_fallback - without
    } | {f'Unknown element type "{kind}". Fallback will be used if present.' for kind in with_fallback - without}
    return [problem for problem in problems if problem not in accepted]
