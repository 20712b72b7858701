"""Names the reflection cards and commands share: verbs, input ids, and reading a card's values back (untrusted)."""

from __future__ import annotations

from typing import Any

from classroom.reflection.questions import KEYS

SAVE, SKIP, OPEN = "reflection.save", "reflection.skip", "reflection.open"
COMMAND = "reflection"  # the buttons' Action.Submit fallback: "reflection save|draft|skip|open ENROLMENT SESSION"
OUTCOMES_INPUT = "outcomes"
MAX_ID = 2**31 - 1


def card_id(value: object) -> int | None:
    """An id a card sent back: a positive integer (as a number or digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str) and value.isdigit() and len(value) <= 10:
        number = int(value)
        return number if 0 < number <= MAX_ID else None
    return None


def typed_answers(values: dict[str, Any]) -> dict[str, object]:
    """The answer inputs of a submitted card (still untrusted: the service bounds and cleans them)."""
    return {key: values.get(key) for key in KEYS if key in values}


def chosen_outcomes(values: dict[str, Any]) -> list[int]:
    """The multi-select's value: comma-separated ids."""
    raw = values.get(OUTCOMES_INPUT)
    if not isinstance(raw, str):
        return []
    return [i for i in (card_id(part.strip()) for part in raw[:2000].split(",")) if i is not None][:50]
