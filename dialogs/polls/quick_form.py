"""The quick form: ``poll [WORDS] Question? | Option | Option ...`` as one message.

Without words, a single-choice poll with the defaults (named, live results, answers can be changed, no timer).
Words in square brackets before the question change that, in any order (brackets, so that a question beginning
"Final thoughts?" or "Text messages..." is never taken for them; ``poll anonymous ...`` works without):

- the kind: ``multiple`` (or ``multiple:N``, at most N picks), ``rating`` (``| low label | high label``
  optional), ``text`` (no options), ``confidence`` (no options: the course's learning outcomes; the question may
  be left out), ``quiz`` (mark the right option with a leading ``*``);
- the settings: ``anonymous``; ``hidden`` (results when it closes) or ``private`` (results to me only);
  ``final`` (answers can't be changed); ``5min`` (closes by itself after 5 minutes).

The domain checks the bounds (``classroom.polls.kinds``)."""

from __future__ import annotations

import re

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
from storage.models import PollResults

ANONYMOUS_WORDS = frozenset({"anonymous", "anon"})
KIND_WORDS = frozenset({"single", "multiple", "rating", "text", "confidence", "quiz"})
RESULTS_WORDS = {"live": PollResults.LIVE, "hidden": PollResults.AFTER_CLOSE, "private": PollResults.LAUNCHER_ONLY}
FINAL_WORDS = frozenset({"final", "locked"})
_MULTIPLE = re.compile(r"multiple:(\d{1,2})")
_MINUTES = re.compile(r"(\d{1,4})(?:m|min|mins|minutes)")
CORRECT_MARK = "*"
EXAMPLE = "poll Which principle comes first? | Presume capacity | Support to decide | Best interests"
CONFIDENCE_QUESTION = "How confident are you in each learning outcome of the course?"


def _word(word: str, found: dict[str, object]) -> bool:
    """Take one leading word into ``found``; False when it is no word of the quick form (the question begins)."""
    lower = word.lower()
    if lower in ANONYMOUS_WORDS:
        found["anonymous"] = True
    elif lower in KIND_WORDS:
        found["kind"] = lower
    elif match := _MULTIPLE.fullmatch(lower):
        found["kind"], found["max_picks"] = "multiple", int(match[1])
    elif lower in RESULTS_WORDS:
        found["results"] = RESULTS_WORDS[lower]
    elif lower in FINAL_WORDS:
        found["changeable"] = False
    elif match := _MINUTES.fullmatch(lower):
        found["minutes"] = int(match[1])
    else:
        return False
    return True


def _spec(kind: str, options: list[str], max_picks: int | None) -> PollKindSpec:
    if kind == "text":
        if options:
            raise InvalidInput("an open question has no options: leave out the |")
        return OpenText()
    if kind == "confidence":
        if options:
            raise InvalidInput("a confidence check has no options: it asks about the course's learning outcomes")
        return Confidence()
    if kind == "rating":
        if not options:
            return Rating()
        if len(options) != 2:
            raise InvalidInput("a rating takes two labels, for 1 and for 5 (e.g. | Not at all | Completely)")
        return Rating(options[0], options[1])
    if kind == "quiz":
        marked = [n for n, option in enumerate(options) if option.strip().startswith(CORRECT_MARK)]
        if len(marked) != 1:
            raise InvalidInput(f"mark the quiz's one right answer with {CORRECT_MARK} (e.g. | {CORRECT_MARK}Yes | No)")
        options[marked[0]] = options[marked[0]].strip().removeprefix(CORRECT_MARK)
        return Quiz(tuple(options), marked[0])
    if kind == "multiple":
        return MultipleChoice(tuple(options), max_picks or len(options))
    return SingleChoice(tuple(options))


def _leading_words(args: str) -> tuple[dict[str, object], str]:
    """The words in ``[...]`` before the question (or a first word ``anonymous``), and the rest."""
    found: dict[str, object] = {}
    text = args.strip()
    if text.startswith("["):
        inside, closed, rest = text[1:].partition("]")
        if not closed:
            raise InvalidInput("close the words before the question with ]")
        for word in inside.replace(",", " ").split():
            if not _word(word, found):
                raise InvalidInput(f"I don't know the word {word[:40]!r} between [ and ]")
        return found, rest
    first, _, rest = text.partition(" ")
    if first.lower() in ANONYMOUS_WORDS:
        return {"anonymous": True}, rest
    return found, text


def parse_quick_form(args: str) -> PollDraft:
    """Raises InvalidInput when the message does not make a poll (no question, no ``|`` where options are due, a
    word in brackets it does not know)."""
    found, text = _leading_words(args)
    kind = str(found.get("kind", "single"))
    if kind in ("single", "multiple", "quiz") and "|" not in text:
        raise InvalidInput("put | between the question and each option")
    question, *options = text.split("|")
    if kind == "confidence" and not question.strip():
        question = CONFIDENCE_QUESTION
    max_picks = found.get("max_picks")
    minutes = found.get("minutes")
    settings = PollSettings(
        anonymous=bool(found.get("anonymous", False)),
        results=found.get("results", PollResults.LIVE),  # type: ignore[arg-type]
        changeable=bool(found.get("changeable", True)),
        closes_after_minutes=minutes if isinstance(minutes, int) else None,
    )
    return PollDraft(question, _spec(kind, options, max_picks if isinstance(max_picks, int) else None), settings)
