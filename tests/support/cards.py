"""Reading cards in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def elements(card: dict[str, Any], wanted: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """Every element of an Adaptive Card that ``wanted`` accepts, wherever it is nested, top to bottom."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if wanted(node):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action of an Adaptive Card (top-level, in ActionSets, in containers), top to bottom."""
    return elements(card, lambda node: str(node.get("type", "")).startswith("Action."))
