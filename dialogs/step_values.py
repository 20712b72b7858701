"""Typed reads of what botbuilder hands a dialog as ``object``: a step's saved values, the answer it got, a
prompt's options and what it recognised. Dialog state is JSON read back from the database, so each read checks
the type it expects instead of trusting it."""

from __future__ import annotations

from typing import Any

from botbuilder.dialogs.prompts import PromptValidatorContext


def text(value: object) -> str:
    return value if isinstance(value, str) else ""


def number(value: object) -> int:
    """An int, or the int a text of digits says; ValueError for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"not a number: {value!r}")


def mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def recognised_text(prompt: PromptValidatorContext) -> str:
    """What a text prompt recognised ("" when it recognised nothing)."""
    return text(prompt.recognized.value) if prompt.recognized.succeeded else ""


def validations(prompt: PromptValidatorContext) -> dict[str, Any]:
    """The rules the asking step gave its prompt (``PromptOptions.validations``)."""
    return mapping(prompt.options.validations)
