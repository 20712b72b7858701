"""Reading cards in tests."""

from __future__ import annotations

from typing import Any


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action of an Adaptive Card (top-level, in ActionSets, in containers), top to bottom."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found
