"""The kinds of poll, a small typed family: each says what it asks and which answers it accepts.

Only single choice is built so far; multiple choice, rating, open text, confidence per learning outcome and quiz
join the family (``PollKind`` in storage, a class here, and their cards) in later slices.
"""

from __future__ import annotations

from dataclasses import dataclass

from classroom.errors import InvalidInput
from classroom.text import clean
from storage.models import PollKind, PollResults

QUESTION_MAX = 240
OPTION_MAX = 120
MIN_OPTIONS, MAX_OPTIONS = 2, 10


@dataclass(frozen=True)
class SingleChoice:
    """Pick one of 2-10 options."""

    options: tuple[str, ...]

    kind = PollKind.SINGLE_CHOICE

    def validated(self) -> SingleChoice:
        options = tuple(" ".join(clean(option).split()) for option in self.options)
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
        return SingleChoice(options)


PollKindSpec = SingleChoice  # later: SingleChoice | MultipleChoice | Rating | OpenText | Confidence | Quiz


@dataclass(frozen=True)
class PollSettings:
    """How a poll behaves: the defaults are a named poll, live results, answers that can be changed."""

    anonymous: bool = False
    results: PollResults = PollResults.LIVE
    changeable: bool = True


@dataclass(frozen=True)
class PollDraft:
    question: str
    spec: PollKindSpec
    settings: PollSettings = PollSettings()

    def validated(self) -> PollDraft:
        """The draft with its text tidied (invisible characters and runs of spaces gone); raises InvalidInput
        saying what is wrong."""
        question = " ".join(clean(self.question).split())
        if not question:
            raise InvalidInput("the question is empty")
        if len(question) > QUESTION_MAX:
            raise InvalidInput(f"the question is longer than {QUESTION_MAX} characters ({len(question)})")
        return PollDraft(question, self.spec.validated(), self.settings)
