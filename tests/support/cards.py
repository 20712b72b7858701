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
    ``Action.Execute``'s ``Action.Submit`` fallback is not another button."""
    return elements(card, lambda node: str(node.get("type", "")).startswith("Action."), fallbacks=False)
