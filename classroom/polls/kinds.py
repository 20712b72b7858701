"""The kinds of poll, a small typed family: each says what it asks (its options) and how it is stored.

Single choice, multiple choice (up to a number of picks), rating 1-5 with end labels, open text, confidence per
learning outcome of the linked course (the options are filled from the catalogue at launch) and quiz (single
choice with one right answer, revealed at close). Which answers each kind accepts is in ``ballots``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from classroom.errors import InvalidInput
from classroom.text import clean
from storage.models import PollKind, PollResults

QUESTION_MAX = 240
OPTION_MAX = 120
LABEL_MAX = 60
MIN_OPTIONS, MAX_OPTIONS = 2, 10
RATING_SCALE = (1, 2, 3, 4, 5)
AUTO_CLOSE_MAX_MINUTES = 24 * 60


def tidy(value: str) -> str:
    """Invisible characters and runs of spaces gone."""
    return " ".join(clean(value).split())


def _checked_options(options: tuple[str, ...]) -> tuple[str, ...]:
    options = tuple(tidy(option) for option in options)
    if any(not option for option in options):
        raise InvalidInput("an option is empty")
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise InvalidInput(f"a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options; this one has {len(options)}")
    too_long = [n for n, option in enumerate(options, start=1) if len(option) > OPTION_MAX]
    if too_long:
        raise InvalidInput(f"option {too_long[0]} is longer than {OPTION_MAX} characters")
    folded = [option.casefold() for option in options]
    if len(set(folded)) != len(folded):
        raise InvalidInput("two options are the same")
    return options


@dataclass(frozen=True)
class SingleChoice:
    """Pick one of 2-10 options."""

    options: tuple[str, ...]

    kind = PollKind.SINGLE_CHOICE

    def validated(self) -> SingleChoice:
        return SingleChoice(_checked_options(self.options))


@dataclass(frozen=True)
class MultipleChoice:
    """Pick one or more of 2-10 options, at most ``max_picks``."""

    options: tuple[str, ...]
    max_picks: int

    kind = PollKind.MULTIPLE_CHOICE

    def validated(self) -> MultipleChoice:
        options = _checked_options(self.options)
        if not 1 <= self.max_picks <= len(options):
            raise InvalidInput(f"the most picks allowed is between 1 and {len(options)} (the number of options)")
        return MultipleChoice(options, self.max_picks)


@dataclass(frozen=True)
class Rating:
    """A rating from 1 to 5; the labels say what 1 and 5 mean ("Not at all", "Completely")."""

    low_label: str = "Not at all"
    high_label: str = "Completely"

    kind = PollKind.RATING
    options: tuple[str, ...] = field(default=tuple(str(n) for n in RATING_SCALE), init=False)

    def validated(self) -> Rating:
        low, high = tidy(self.low_label), tidy(self.high_label)
        if not low or not high:
            raise InvalidInput("a rating needs a label for 1 and for 5")
        if max(len(low), len(high)) > LABEL_MAX:
            raise InvalidInput(f"a rating's labels are at most {LABEL_MAX} characters")
        return Rating(low, high)


@dataclass(frozen=True)
class OpenText:
    """A short answer in words (at most ``ballots.TEXT_MAX`` characters)."""

    kind = PollKind.OPEN_TEXT
    options: tuple[str, ...] = field(default=(), init=False)

    def validated(self) -> OpenText:
        return self


@dataclass(frozen=True)
class Confidence:
    """How confident each person is, 1-5, in each learning outcome of the linked run's course (filled at launch
    from the catalogue: the trainer types none)."""

    kind = PollKind.CONFIDENCE
    options: tuple[str, ...] = field(default=(), init=False)

    def validated(self) -> Confidence:
        return self


@dataclass(frozen=True)
class Quiz:
    """Single choice with a right answer (``correct``: its position, from 0), revealed when the poll closes."""

    options: tuple[str, ...]
    correct: int

    kind = PollKind.QUIZ

    def validated(self) -> Quiz:
        options = _checked_options(self.options)
        if not 0 <= self.correct < len(options):
            raise InvalidInput("a quiz needs one of its options marked as the right answer")
        return Quiz(options, self.correct)


PollKindSpec = SingleChoice | MultipleChoice | Rating | OpenText | Confidence | Quiz


@dataclass(frozen=True)
class PollSettings:
    """How a poll behaves: the defaults are a named poll, live results, answers that can be changed, no timer."""

    anonymous: bool = False
    results: PollResults = PollResults.LIVE
    changeable: bool = True
    closes_after_minutes: int | None = None

    def validated(self) -> PollSettings:
        minutes = self.closes_after_minutes
        if minutes is not None and not 1 <= minutes <= AUTO_CLOSE_MAX_MINUTES:
            raise InvalidInput(f"a poll closes by itself after 1 to {AUTO_CLOSE_MAX_MINUTES} minutes")
        return self

    @property
    def closes_after(self) -> timedelta | None:
        return timedelta(minutes=self.closes_after_minutes) if self.closes_after_minutes else None


@dataclass(frozen=True)
class PollDraft:
    question: str
    spec: PollKindSpec
    settings: PollSettings = PollSettings()

    def validated(self) -> PollDraft:
        """The draft with its text tidied (invisible characters and runs of spaces gone); raises InvalidInput
        saying what is wrong."""
        question = tidy(self.question)
        if not question:
            raise InvalidInput("the question is empty")
        if len(question) > QUESTION_MAX:
            raise InvalidInput(f"the question is longer than {QUESTION_MAX} characters ({len(question)})")
        return PollDraft(question, self.spec.validated(), self.settings.validated())
