"""The compose card's fields, read from a card's (untrusted) data into a ``PollDraft``, and kept as typed so a
card that refuses them shows them again unchanged: nothing is lost to a mistake.

Every value is bounded here (so a tampered card cannot send megabytes) and checked by the domain
(``classroom.polls.kinds``), which says what is wrong.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
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
from dialogs.polls.quick_form import CONFIDENCE_QUESTION, CORRECT_MARK
from storage.models import PollKind, PollResults

FIELD_MAX = 2_000  # a field longer than this is cut; the domain's own limits are far lower
OPTIONS_FIELD_MAX = 12 * 130

QUESTION = "compose_question"
KIND = "compose_kind"
OPTIONS = "compose_options"
MAX_PICKS = "compose_max_picks"
LOW_LABEL = "compose_low"
HIGH_LABEL = "compose_high"
ANONYMOUS = "compose_anonymous"
RESULTS = "compose_results"
CHANGEABLE = "compose_changeable"
MINUTES = "compose_minutes"
RUN = "compose_run"  # preparing in the 1:1 chat: the run it is for
# In the buttons' data, not a field: the card's own random id, so the poll it describes is posted once however often
# Post is pressed (a double click, a redelivery, a second press on the same card): ``PollService.launch``.
DRAFT = "compose_draft"
_DRAFT_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
FIELDS = (QUESTION, KIND, OPTIONS, MAX_PICKS, LOW_LABEL, HIGH_LABEL, ANONYMOUS, RESULTS, CHANGEABLE, MINUTES)
DEFAULTS = {KIND: PollKind.SINGLE_CHOICE.value, ANONYMOUS: "false", RESULTS: "live", CHANGEABLE: "true"}


def form_values(data: Any) -> dict[str, str]:
    """The compose fields of a card's data as bounded strings (missing ones: the defaults, or empty)."""
    data = data if isinstance(data, dict) else {}
    values = {}
    for name in (*FIELDS, RUN):
        value = data.get(name)
        limit = OPTIONS_FIELD_MAX if name == OPTIONS else FIELD_MAX
        values[name] = str(value)[:limit] if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not values[name] and name in DEFAULTS:
            values[name] = DEFAULTS[name]
    return values


def new_draft_id() -> str:
    return secrets.token_urlsafe(16)


def draft_id(data: Any) -> str | None:
    """The compose card's id from its (untrusted) data: None when missing or not one we could have made."""
    value = data.get(DRAFT) if isinstance(data, dict) else None
    if isinstance(value, str) and 16 <= len(value) <= 64 and set(value) <= _DRAFT_ALPHABET:
        return value
    return None


def _whole_number(value: str, what: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 6):
        raise InvalidInput(f"{what} must be a whole number")
    return int(value)


def _options(values: dict[str, str]) -> list[str]:
    return [line for line in values[OPTIONS].splitlines() if line.strip()]


def _spec(kind: PollKind, values: dict[str, str]) -> PollKindSpec:
    options = _options(values)
    if kind is PollKind.MULTIPLE_CHOICE:
        most = _whole_number(values[MAX_PICKS], "the most picks allowed")
        return MultipleChoice(tuple(options), most if most is not None else len(options))
    if kind is PollKind.RATING:
        return Rating(values[LOW_LABEL] or "Not at all", values[HIGH_LABEL] or "Completely")
    if kind is PollKind.OPEN_TEXT:
        return OpenText()
    if kind is PollKind.CONFIDENCE:
        return Confidence()
    if kind is PollKind.QUIZ:
        marked = [n for n, option in enumerate(options) if option.strip().startswith(CORRECT_MARK)]
        if len(marked) != 1:
            raise InvalidInput(f"start the quiz's one right answer with {CORRECT_MARK}")
        options[marked[0]] = options[marked[0]].strip().removeprefix(CORRECT_MARK)
        return Quiz(tuple(options), marked[0])
    return SingleChoice(tuple(options))


def draft_of(values: dict[str, str]) -> PollDraft:
    """The poll the form describes, checked; raises InvalidInput saying what is wrong."""
    try:
        kind = PollKind(values[KIND])
        results = PollResults(values[RESULTS])
    except ValueError:
        raise InvalidInput("choose a kind of poll and when results are shown from the lists") from None
    question = values[QUESTION]
    if kind is PollKind.CONFIDENCE and not question.strip():
        question = CONFIDENCE_QUESTION
    settings = PollSettings(
        anonymous=values[ANONYMOUS] == "true",
        results=results,
        changeable=values[CHANGEABLE] != "false",
        closes_after_minutes=_whole_number(values[MINUTES], "the minutes before it closes"),
    )
    return PollDraft(question, _spec(kind, values), settings).validated()


@dataclass(frozen=True)
class Composed:
    """What the form says: its values as typed, and the poll they make (None: ``error`` says why not)."""

    values: dict[str, str]
    draft: PollDraft | None
    error: str | None

    @property
    def run_code(self) -> str:
        return " ".join(self.values[RUN].split()).upper()[:40]


def compose(data: Any, *, preparing: bool = False) -> Composed:
    """``preparing``: the form of the 1:1 chat, which also names the run the poll is for."""
    values = form_values(data)
    try:
        if preparing and not values[RUN].strip():
            raise InvalidInput("say which run the poll is for (e.g. PERM4-A)")
        return Composed(values, draft_of(values), None)
    except InvalidInput as invalid:
        return Composed(values, None, str(invalid))
