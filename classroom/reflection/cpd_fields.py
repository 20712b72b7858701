"""The CPD form's fields: made from a finished reflection, bounded when typed, and as stored (sealed JSON)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from classroom.errors import InvalidInput
from classroom.reflection.questions import COVERED, FEELING, IMPACT, LEARNT, MAX_ANSWER_LENGTH, PEER, TRY_FIRST
from classroom.reflection.views import CpdFields
from classroom.text import clean

MAX_TITLE_LENGTH = 200
TEXT_FIELDS = ("title", "description", "learnt", "impact", "peer", "try_first", "feeling")
REQUIRED_FIELDS = ("title", "description", "learnt", "impact")


def fields_from_reflection(course_title: str, answers: Mapping[str, str], outcomes: Sequence[str]) -> CpdFields:
    return CpdFields(
        title=course_title[:MAX_TITLE_LENGTH],
        description=answers.get(COVERED, ""),
        learnt=answers.get(LEARNT, ""),
        impact=answers.get(IMPACT, ""),
        peer=answers.get(PEER, ""),
        try_first=answers.get(TRY_FIRST, ""),
        feeling=answers.get(FEELING, ""),
        outcomes=tuple(outcomes),
    )


def typed_fields(raw: Mapping[str, object]) -> CpdFields:
    """Fields typed into ``cpd add`` or an edit: cleaned, bounded, the form's required ones present."""
    values: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = raw.get(name)
        text = clean(value) if isinstance(value, str) else ""
        limit = MAX_TITLE_LENGTH if name == "title" else MAX_ANSWER_LENGTH
        if len(text) > limit:
            raise InvalidInput(f"please keep the {name.replace('_', ' ')} under {limit} characters")
        values[name] = text
    missing = [name for name in REQUIRED_FIELDS if not values[name]]
    if missing:
        raise InvalidInput("please fill in: " + ", ".join(missing))
    return CpdFields(
        title=values["title"],
        description=values["description"],
        learnt=values["learnt"],
        impact=values["impact"],
        peer=values["peer"],
        try_first=values["try_first"],
        feeling=values["feeling"],
    )


def seal_ready(fields: CpdFields) -> dict[str, Any]:
    stored = asdict(fields)
    stored["outcomes"] = list(fields.outcomes)
    return stored


def from_sealed(opened: Mapping[str, Any]) -> CpdFields:
    values = {name: str(opened.get(name, "")) for name in TEXT_FIELDS}
    outcomes = opened.get("outcomes", [])
    return CpdFields(**values, outcomes=tuple(str(o) for o in outcomes) if isinstance(outcomes, list) else ())
