"""Names the poll cards and their handlers share: button verbs, input ids, the commands their fallbacks type,
and reading an answer out of a card's (untrusted) data."""

from __future__ import annotations

from typing import Any

from classroom.polls.ballots import Ballot, Choice, Picks, Ratings, Words

VOTE = "poll.vote"  # Action.Execute: {"poll": id, "option": id}
ANSWER = "poll.answer"  # Action.Execute: {"poll": id} and the card's inputs
CLOSE = "poll.close"  # Action.Execute: {"poll": id}
EXPORT = "poll.export"  # Action.Execute: {"poll": id} or {"run": code}: a download link for the presser
RESULTS_COMMAND = "poll results"  # poll results POLL
EXPORT_COMMAND = "poll export"  # poll export POLL: what the download button's fallback types
POLLS_COMMAND = "polls"  # polls RUN
RUN_EXPORT_COMMAND = "polls export"  # polls export RUN
COMPOSE_PREVIEW = "poll.compose.preview"  # the compose card: its inputs in the data
COMPOSE_POST = "poll.compose.post"
COMPOSE_SAVE = "poll.compose.save"  # the 1:1 chat's compose card: save for the run it names
LAUNCH_PREPARED = "poll.prepared.launch"  # {"prepared": id}
PREPARED_COMMAND = "prepared"  # ... whose Submit fallback types "prepared launch N"
REFRESH = "poll.refresh"  # the card's refresh action (automatic per-user views): {"poll": id}
VOTE_COMMAND = "vote"  # the Action.Submit fallback types "vote POLL OPTION" (or "vote POLL answer" + inputs)
ANSWER_WORD = "answer"
POLL_COMMAND = "poll"  # ... and "poll close POLL"
PICKS_INPUT = "picks"  # multiple choice: the option ids ticked, "12,14"
TEXT_INPUT = "answer_text"  # open text
RATING_INPUT = "rating-"  # confidence: "rating-<option id>" -> "1".."5"
MAX_ID = 2**31  # ids the database can hold
MAX_TEXT_FROM_CARD = 2_000  # longer is cut here; the domain refuses anything over its limit, saying so
MAX_INPUTS = 50


def rating_input(option_id: int) -> str:
    return f"{RATING_INPUT}{option_id}"


def card_id(value: Any) -> int | None:
    """A positive id from card data (untrusted): an int the database can hold, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < MAX_ID else None


def typed_id(word: str) -> int | None:
    """A positive id typed (or sent by a Submit fallback) as digits, or None."""
    return card_id(int(word)) if word.isascii() and word.isdigit() and len(word) <= 10 else None


def _small_number(value: Any) -> int | None:
    if isinstance(value, str):
        return typed_id(value.strip())
    return card_id(value)


def ballot_from_inputs(data: Any) -> Ballot | None:
    """The answer the card's inputs carry (ticked options, a text, ratings per outcome), or None when they carry
    none that can be read. Whether it fits the poll is the domain's to say."""
    if not isinstance(data, dict):
        return None
    picks = data.get(PICKS_INPUT)
    if isinstance(picks, str) and len(picks) <= MAX_INPUTS * 11:
        ids = [typed_id(part.strip()) for part in picks.split(",") if part.strip()]
        return Picks(frozenset(i for i in ids if i is not None)) if None not in ids else None
    text = data.get(TEXT_INPUT)
    if isinstance(text, str):
        return Words(text[:MAX_TEXT_FROM_CARD])
    ratings: dict[int, int] = {}
    for key, value in list(data.items())[:MAX_INPUTS]:
        if isinstance(key, str) and key.startswith(RATING_INPUT):
            option_id, rating = typed_id(key.removeprefix(RATING_INPUT)), _small_number(value)
            if option_id is None or rating is None:
                return None
            ratings[option_id] = rating
    return Ratings(ratings) if ratings else None


def ballot_from_option(data: Any) -> Choice | None:
    option_id = card_id(data.get("option")) if isinstance(data, dict) else None
    return Choice(option_id) if option_id is not None else None
