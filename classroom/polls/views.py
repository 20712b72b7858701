"""What cards show of a poll, as plain data that also travels as JSON in the outbox (``notices``).

Two audiences: everyone in the chat (``shared``) and the poll's runners (the launcher's 1:1 card, the closer's
own view). A shared view never says who chose what, never lists open-text answers (only their most frequent
words), keeps a quiz's right answer until the poll closes, and holds no results at all while the poll's
results are hidden from the chat ("after I close" while open, "to me only" always).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Executable, bindparam, func, literal_column, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.outbox import NoticePart
from classroom.polls.kinds import RATING_SCALE
from classroom.polls.words import top_words
from storage.models import Poll, PollKind, PollResults, PollStatus, PollVote, PollVotePick


class Audience(enum.StrEnum):
    SHARED = "shared"  # the chat's card and every participant's own view
    RUNNER = "runner"  # the launcher's 1:1 card, the closer's own view: every result, open-text answers too


class OptionTally(NoticePart):
    id: int
    text: str
    votes: int  # choices and ratings: how many chose it; confidence: how many rated the outcome
    ratings: list[int] = []  # confidence: how many rated this outcome 1, 2, 3, 4, 5
    correct: bool = False  # a quiz's right answer, once the poll has closed

    @property
    def mean(self) -> float | None:
        rated = sum(self.ratings)
        return sum(n * count for n, count in zip(RATING_SCALE, self.ratings, strict=False)) / rated if rated else None


class WordCount(NoticePart):
    word: str
    answers: int


class PollView(NoticePart):
    id: int
    run_code: str
    kind: PollKind
    question: str
    anonymous: bool
    changeable: bool
    results: PollResults
    status: PollStatus
    options: list[OptionTally]
    voters: int
    launched_by_name: str
    launched_at: datetime
    closed_by_name: str | None = None
    closed_at: datetime | None = None
    max_picks: int | None = None
    low_label: str | None = None
    high_label: str | None = None
    closes_at: datetime | None = None
    results_shown: bool = True  # False: this audience sees no results yet (or ever)
    audience: Audience = Audience.SHARED
    words: list[WordCount] = []  # open text: the most frequent words
    answers: list[str] = []  # open text, for the poll's runners only: the latest ANSWERS_SHOWN, newest first
    answers_total: int = 0  # ... of how many
    recent_voters: list[str] = []  # named polls: the Teams user ids of the latest voters (per-user card views)

    @property
    def closed(self) -> bool:
        return self.status is PollStatus.CLOSED

    @property
    def closed_by_timer(self) -> bool:
        return self.closed and self.closed_by_name is None

    def percent(self, option: OptionTally) -> int:
        """The option's share of the voters, rounded to a whole percent (0 when nobody has voted)."""
        return round(100 * option.votes / self.voters) if self.voters else 0

    def option(self, option_id: int) -> OptionTally | None:
        return next((option for option in self.options if option.id == option_id), None)

    @property
    def correct_option(self) -> OptionTally | None:
        return next((option for option in self.options if option.correct), None)

    @property
    def mean_rating(self) -> float | None:
        """A rating poll's average (options "1".."5")."""
        total = sum(option.votes for option in self.options)
        return sum(int(o.text) * o.votes for o in self.options) / total if total else None


def results_hidden_from_chat(poll: Poll) -> bool:
    return poll.results is PollResults.LAUNCHER_ONLY or (
        poll.results is PollResults.AFTER_CLOSE and poll.status is PollStatus.OPEN
    )


# Built once, run on the transaction's connection: a vote reads these on every turn, and both building a statement
# and the ORM's handling of one cost more than running it. Each is one indexed pass over the poll's votes
# (``poll_votes (poll_id, voter_key)``), whatever the number of options.
_VOTES = PollVote.__table__.c
_PICKS = PollVotePick.__table__.c
_POLL: BindParameter[int] = bindparam("poll")
_CHOICE_COUNTS = select(_VOTES.option_id, func.count()).where(_VOTES.poll_id == _POLL).group_by(_VOTES.option_id)
_PICK_COUNTS = (
    select(_PICKS.option_id, _PICKS.rating, func.count())
    .join(PollVote.__table__, _VOTES.id == _PICKS.vote_id)
    .where(_VOTES.poll_id == _POLL)
    .group_by(_PICKS.option_id, _PICKS.rating)
)
_VOTERS = select(func.count()).select_from(PollVote.__table__).where(_VOTES.poll_id == _POLL)
_TEXTS = select(_VOTES.text).where(_VOTES.poll_id == _POLL, _VOTES.text.is_not(None)).order_by(_VOTES.id)


async def _rows(session: AsyncSession, statement: Executable, poll_id: int) -> Sequence[Any]:
    return (await (await session.connection()).execute(statement, {"poll": poll_id})).all()


async def _choice_counts(session: AsyncSession, poll_id: int) -> tuple[dict[int, int], int]:
    """(votes per option, voters): every vote of a choice poll names one option, so one pass counts both."""
    rows = await _rows(session, _CHOICE_COUNTS, poll_id)
    counts = {row[0]: row[1] for row in rows if row[0] is not None}
    return counts, sum(row[1] for row in rows)


async def _pick_counts(session: AsyncSession, poll_id: int) -> dict[tuple[int, int | None], int]:
    return {(row[0], row[1]): row[2] for row in await _rows(session, _PICK_COUNTS, poll_id)}


async def _voters(session: AsyncSession, poll_id: int) -> int:
    return int((await _rows(session, _VOTERS, poll_id))[0][0] or 0)


async def _texts(session: AsyncSession, poll_id: int) -> list[str]:
    return [text for (text,) in await _rows(session, _TEXTS, poll_id) if text]


@dataclass(frozen=True)
class _Counted:
    """Everything a poll's views show of its answers, read once for every audience."""

    options: list[OptionTally]
    voters: int
    texts: list[str]  # open text: every answer, oldest first (empty unless asked for)


async def _counted(session: AsyncSession, poll: Poll, *, texts: bool) -> _Counted:
    """One aggregate for a choice poll (its voters are the sum); picks and open text also count the voters."""
    closed = poll.status is PollStatus.CLOSED
    if poll.kind is PollKind.CONFIDENCE:
        picks = await _pick_counts(session, poll.id)
        options = [
            OptionTally(
                id=o.id,
                text=o.text,
                votes=sum(count for (option_id, _), count in picks.items() if option_id == o.id),
                ratings=[picks.get((o.id, n), 0) for n in RATING_SCALE],
            )
            for o in poll.options
        ]
        return _Counted(options, await _voters(session, poll.id), [])
    if poll.kind is PollKind.MULTIPLE_CHOICE:
        counts = {o: n for (o, _rating), n in (await _pick_counts(session, poll.id)).items()}
        voters = await _voters(session, poll.id)
    elif poll.kind is PollKind.OPEN_TEXT:
        counts, voters = {}, await _voters(session, poll.id)
    else:
        counts, voters = await _choice_counts(session, poll.id)
    options = [
        OptionTally(id=o.id, text=o.text, votes=counts.get(o.id, 0), correct=closed and o.correct) for o in poll.options
    ]
    answers = await _texts(session, poll.id) if texts and poll.kind is PollKind.OPEN_TEXT else []
    return _Counted(options, voters, answers)


# The launcher's card lists the latest answers up to these bounds, which keep it under Teams' 28 KB for a card
# even when every answer is 280 characters of accented letters (the card's text fallback repeats them).
ANSWERS_SHOWN = 40
ANSWERS_CHARACTERS = 2_000
REFRESH_USERS_MAX = 60  # Teams keeps automatic per-user views for at most 60 users


_RECENT_VOTERS = (
    select(_VOTES.teams_user_id)
    .where(_VOTES.poll_id == _POLL, _VOTES.teams_user_id.is_not(None))
    .order_by(_VOTES.answered_at.desc(), _VOTES.id.desc())
    .limit(REFRESH_USERS_MAX)
)


async def _recent_voters(session: AsyncSession, poll: Poll) -> list[str]:
    if poll.anonymous:
        return []  # never stored for anonymous polls
    return [user_id for (user_id,) in await _rows(session, _RECENT_VOTERS, poll.id) if user_id]


# A named choice poll's shared view (what every vote answers with) in one statement: the counts per option (part
# 0: option, votes), then the latest voters' Teams ids (part 1: Teams id, rank, newest first). Two indexed passes
# over the poll's votes, one round trip instead of two; only whole numbers and the ids come back.
_RECENT = (
    select(
        _VOTES.teams_user_id,
        func.row_number().over(order_by=(_VOTES.answered_at.desc(), _VOTES.id.desc())).label("rank"),
    )
    .where(_VOTES.poll_id == _POLL, _VOTES.teams_user_id.is_not(None))
    .order_by(_VOTES.answered_at.desc(), _VOTES.id.desc())
    .limit(REFRESH_USERS_MAX)
    .subquery()
)
_COUNTS_AND_RECENT = union_all(
    select(
        literal_column("0").label("part"),
        _VOTES.option_id.label("number"),
        func.count().label("votes"),
        null().label("user_id"),
    )
    .where(_VOTES.poll_id == _POLL)
    .group_by(_VOTES.option_id),
    select(literal_column("1"), _RECENT.c.rank, null(), _RECENT.c.teams_user_id),
).order_by(literal_column("part"), literal_column("number"))
_CHOICE_KINDS = frozenset({PollKind.SINGLE_CHOICE, PollKind.QUIZ, PollKind.RATING})


async def _choice_view_rows(session: AsyncSession, poll: Poll) -> tuple[_Counted, list[str]]:
    """``_counted`` and ``_recent_voters`` of a named choice poll, from one statement."""
    counts: dict[int, int] = {}
    voters = 0
    recent: list[str] = []
    for part, option_id, votes, user_id in await _rows(session, _COUNTS_AND_RECENT, poll.id):
        if part == 0:
            voters += votes
            if option_id is not None:
                counts[option_id] = votes
        elif user_id:
            recent.append(user_id)
    closed = poll.status is PollStatus.CLOSED
    options = [
        OptionTally(id=o.id, text=o.text, votes=counts.get(o.id, 0), correct=closed and o.correct) for o in poll.options
    ]
    return _Counted(options, voters, []), recent


def _one_read(poll: Poll) -> bool:
    """Whether the shared view's counts and latest voters come from one statement (``_choice_view_rows``)."""
    return poll.kind in _CHOICE_KINDS and not poll.anonymous


def _latest(texts: list[str]) -> list[str]:
    shown: list[str] = []
    for answer in reversed(texts):
        if len(shown) == ANSWERS_SHOWN or sum(map(len, shown)) + len(answer) > ANSWERS_CHARACTERS:
            break
        shown.append(answer)
    return shown


def _view(poll: Poll, run_code: str, counted: _Counted, audience: Audience, recent_voters: list[str]) -> PollView:
    shown = audience is Audience.RUNNER or not results_hidden_from_chat(poll)
    options = counted.options if shown else [OptionTally(id=o.id, text=o.text, votes=0) for o in counted.options]
    texts = counted.texts if shown else []
    return PollView(
        id=poll.id,
        run_code=run_code,
        kind=poll.kind,
        question=poll.question,
        anonymous=poll.anonymous,
        changeable=poll.changeable,
        results=poll.results,
        status=poll.status,
        options=options,
        voters=counted.voters,
        launched_by_name=poll.launched_by_name,
        launched_at=poll.launched_at,
        closed_by_name=poll.closed_by_name,
        closed_at=poll.closed_at,
        max_picks=poll.max_picks,
        low_label=poll.low_label,
        high_label=poll.high_label,
        closes_at=poll.closes_at,
        results_shown=shown,
        audience=audience,
        words=[WordCount(word=word, answers=n) for word, n in top_words(texts)],
        answers=_latest(texts) if audience is Audience.RUNNER else [],
        answers_total=len(texts) if audience is Audience.RUNNER else 0,
        recent_voters=recent_voters if audience is Audience.SHARED else [],
    )


async def poll_view(session: AsyncSession, poll: Poll, run_code: str, audience: Audience = Audience.SHARED) -> PollView:
    if audience is Audience.SHARED and _one_read(poll):
        counted, recent = await _choice_view_rows(session, poll)
        return _view(poll, run_code, counted, audience, recent)
    shown = audience is Audience.RUNNER or not results_hidden_from_chat(poll)
    counted = await _counted(session, poll, texts=shown)
    recent = await _recent_voters(session, poll) if audience is Audience.SHARED else []
    return _view(poll, run_code, counted, audience, recent)


async def poll_views(
    session: AsyncSession, poll: Poll, run_code: str, *, runners: bool
) -> tuple[PollView, PollView | None]:
    """(what everyone sees, what the poll's runners see, if ``runners``), from one reading of the answers."""
    if _one_read(poll):
        counted, recent = await _choice_view_rows(session, poll)  # a choice poll's views hold no texts
    else:
        counted = await _counted(session, poll, texts=runners or not results_hidden_from_chat(poll))
        recent = await _recent_voters(session, poll)
    shared = _view(poll, run_code, counted, Audience.SHARED, recent)
    return shared, _view(poll, run_code, counted, Audience.RUNNER, []) if runners else None
