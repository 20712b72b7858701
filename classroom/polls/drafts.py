"""A checked ``PollDraft`` as JSON and back: how a prepared poll keeps what it will post."""

from __future__ import annotations

from typing import Any

from classroom.errors import InvalidInput
from classroom.polls.kinds import (
    Confidence,
    MultipleChoice,
    OpenText,
    PollDraft,
    PollKindSpec,
    PollSettings,
    Quiz,
    Rating,
    SingleChoice,
)
from storage.models import PollKind, PollResults


def draft_json(draft: PollDraft) -> dict[str, Any]:
    spec, settings = draft.spec, draft.settings
    return {
        "question": draft.question,
        "kind": spec.kind.value,
        "options": list(spec.options) if not isinstance(spec, Rating) else [],
        "max_picks": spec.max_picks if isinstance(spec, MultipleChoice) else None,
        "low_label": spec.low_label if isinstance(spec, Rating) else None,
        "high_label": spec.high_label if isinstance(spec, Rating) else None,
        "correct": spec.correct if isinstance(spec, Quiz) else None,
        "anonymous": settings.anonymous,
        "results": settings.results.value,
        "changeable": settings.changeable,
        "closes_after_minutes": settings.closes_after_minutes,
    }


def _spec(data: dict[str, Any]) -> PollKindSpec:
    kind, options = PollKind(data["kind"]), tuple(data.get("options") or ())
    if kind is PollKind.MULTIPLE_CHOICE:
        return MultipleChoice(options, int(data["max_picks"]))
    if kind is PollKind.RATING:
        return Rating(data["low_label"], data["high_label"])
    if kind is PollKind.OPEN_TEXT:
        return OpenText()
    if kind is PollKind.CONFIDENCE:
        return Confidence()
    if kind is PollKind.QUIZ:
        return Quiz(options, int(data["correct"]))
    return SingleChoice(options)


def draft_from_json(data: dict[str, Any]) -> PollDraft:
    """Raises InvalidInput when the stored draft no longer makes a poll."""
    try:
        settings = PollSettings(
            anonymous=bool(data["anonymous"]),
            results=PollResults(data["results"]),
            changeable=bool(data["changeable"]),
            closes_after_minutes=data.get("closes_after_minutes"),
        )
        return PollDraft(data["question"], _spec(data), settings).validated()
    except (KeyError, TypeError, ValueError) as broken:
        raise InvalidInput("that prepared poll can no longer be read") from broken
