"""What a person answers, per kind, checked against the poll before anything is stored, and every stored answer
as plain text (``answer_text``: the voter's own view, and what an export writes).

Every value comes from a card, so none is trusted: option ids must be the poll's own, picks within the maximum,
ratings 1-5, text at most ``TEXT_MAX`` characters and never empty, and the answer's shape must fit the kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from classroom.errors import InvalidInput
from classroom.polls.errors import NotAnOption
from classroom.polls.kinds import RATING_SCALE, tidy
from storage.models import Poll, PollKind, PollOption, PollVote, PollVotePick

TEXT_MAX = 280


@dataclass(frozen=True)
class Choice:
    """One option (single choice, quiz)."""

    option_id: int


@dataclass(frozen=True)
class Picks:
    """Some options (multiple choice)."""

    option_ids: frozenset[int]


@dataclass(frozen=True)
class Score:
    """A rating, 1-5."""

    value: int


@dataclass(frozen=True)
class Words:
    """An open-text answer."""

    text: str


@dataclass(frozen=True)
class Ratings:
    """A rating, 1-5, for each learning outcome (option id) of a confidence poll."""

    by_option: Mapping[int, int]


Ballot = Choice | Picks | Score | Words | Ratings


class AnswerRefused(InvalidInput):
    """The answer does not fit the poll (too many picks, a rating out of range, empty or long text)."""


@dataclass(frozen=True)
class CheckedAnswer:
    """A ballot checked against its poll, ready to store: its option, text or picks (option id, rating)."""

    option_id: int | None = None
    text: str | None = None
    picks: tuple[tuple[int, int | None], ...] = ()


def _option(poll: Poll, option_id: int) -> PollOption:
    option = next((o for o in poll.options if o.id == option_id), None)
    if option is None:
        raise NotAnOption("that answer is not one of this poll's options")
    return option


def _in_scale(value: int) -> int:
    if isinstance(value, bool) or value not in RATING_SCALE:
        raise AnswerRefused(f"a rating is a whole number from {RATING_SCALE[0]} to {RATING_SCALE[-1]}")
    return value


def checked(poll: Poll, ballot: Ballot) -> CheckedAnswer:
    """The ballot as it will be stored; raises NotAnOption or AnswerRefused (both InvalidInput) saying why."""
    kind = poll.kind
    if kind in (PollKind.SINGLE_CHOICE, PollKind.QUIZ) and isinstance(ballot, Choice):
        return CheckedAnswer(option_id=_option(poll, ballot.option_id).id)
    if kind is PollKind.RATING and isinstance(ballot, Score | Choice):
        if isinstance(ballot, Choice):
            return CheckedAnswer(option_id=_option(poll, ballot.option_id).id)
        value = _in_scale(ballot.value)
        return CheckedAnswer(option_id=next(o.id for o in poll.options if o.position == value))
    if kind is PollKind.MULTIPLE_CHOICE and isinstance(ballot, Picks | Choice):
        ids = ballot.option_ids if isinstance(ballot, Picks) else frozenset({ballot.option_id})
        chosen = sorted(_option(poll, option_id).id for option_id in ids)
        if not chosen:
            raise AnswerRefused("pick at least one answer")
        if poll.max_picks is not None and len(chosen) > poll.max_picks:
            raise AnswerRefused(f"pick at most {poll.max_picks} answers; you picked {len(chosen)}")
        return CheckedAnswer(picks=tuple((option_id, None) for option_id in chosen))
    if kind is PollKind.OPEN_TEXT and isinstance(ballot, Words):
        text = tidy(ballot.text)
        if not text:
            raise AnswerRefused("the answer is empty")
        if len(text) > TEXT_MAX:
            raise AnswerRefused(f"an answer is at most {TEXT_MAX} characters; yours has {len(text)}")
        return CheckedAnswer(text=text)
    if kind is PollKind.CONFIDENCE and isinstance(ballot, Ratings):
        rated = {_option(poll, option_id).id: _in_scale(value) for option_id, value in ballot.by_option.items()}
        if set(rated) != {o.id for o in poll.options}:
            raise AnswerRefused("rate every learning outcome from 1 to 5")
        return CheckedAnswer(picks=tuple(sorted(rated.items())))
    raise AnswerRefused("that kind of answer does not fit this poll")


def same_answer(vote: PollVote, answer: CheckedAnswer) -> bool:
    stored = tuple(sorted((pick.option_id, pick.rating) for pick in vote.picks))
    return (vote.option_id, vote.text, stored) == (answer.option_id, answer.text, answer.picks)


def store(vote: PollVote, answer: CheckedAnswer) -> None:
    """Put ``answer`` in ``vote`` (a new one, or an earlier answer being changed)."""
    vote.option_id = answer.option_id
    vote.text = answer.text
    vote.picks = [PollVotePick(option_id=option_id, rating=rating) for option_id, rating in answer.picks]


def answer_text(poll: Poll, vote: PollVote) -> str:
    """Any stored answer as plain text: "Presume capacity"; "A; C" (multiple choice); "4 (Completely = 5)";
    "Outcome one: 4; Outcome two: 2" (confidence); the words themselves (open text)."""
    texts = {option.id: option.text for option in poll.options}
    if poll.kind is PollKind.OPEN_TEXT:
        return vote.text or ""
    if poll.kind is PollKind.MULTIPLE_CHOICE:
        return "; ".join(texts[pick.option_id] for pick in _in_option_order(poll, vote))
    if poll.kind is PollKind.CONFIDENCE:
        return "; ".join(f"{texts[pick.option_id]}: {pick.rating}" for pick in _in_option_order(poll, vote))
    chosen = texts.get(vote.option_id or 0, "")
    if poll.kind is PollKind.RATING:
        return f"{chosen} of {RATING_SCALE[-1]}"
    return chosen


def _in_option_order(poll: Poll, vote: PollVote) -> list[PollVotePick]:
    position = {option.id: option.position for option in poll.options}
    return sorted(vote.picks, key=lambda pick: position.get(pick.option_id, 0))
