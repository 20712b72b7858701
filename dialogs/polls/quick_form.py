"""The quick form: ``poll [anonymous] Question? | Option | Option ...`` as one message.

A single-choice poll with the defaults (named unless the first word is ``anonymous``; live results; answers
can be changed). The domain checks the bounds (``classroom.polls.kinds``)."""

from __future__ import annotations

from classroom.errors import InvalidInput
from classroom.polls.kinds import PollDraft, PollSettings, SingleChoice

ANONYMOUS_WORDS = frozenset({"anonymous", "anon"})
EXAMPLE = "poll Which principle comes first? | Presume capacity | Support to decide | Best interests"


def parse_quick_form(args: str) -> PollDraft:
    """Raises InvalidInput when there is no question or no ``|`` between it and the options."""
    first, _, rest = args.strip().partition(" ")
    anonymous = first.lower() in ANONYMOUS_WORDS
    text = rest if anonymous else args
    if "|" not in text:
        raise InvalidInput("put | between the question and each option")
    question, *options = text.split("|")
    return PollDraft(question, SingleChoice(tuple(options)), PollSettings(anonymous=anonymous))
