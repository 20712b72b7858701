"""What cards show of a poll, as plain data that also travels as JSON in the outbox (``notices``).

Two audiences: everyone in the chat (``shared``) and the poll's runners (the launcher's 1:1 card, the closer's
own view). A shared view never says who chose what, never lists open-text answers (only their most frequent
words), keeps a quiz's right answer until the poll closes, and holds no results at all while the poll's
results are hidden from the chat ("after I close" while open, "to me only" always).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import func, select
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


async def _choice_counts(session: AsyncSession, poll_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(PollVote.option_id, func.count())
        .where(PollVote.poll_id == poll_id, PollVote.option_id.is_not(None))
        .group_by(PollVote.option_id)
    )
    return {option_id: count for option_id, count in rows.all() if option_id is not None}


async def _pick_counts(session: AsyncSession, poll_id: int) -> dict[tuple[int, int | None], int]:
    rows = await session.execute(
        select(PollVotePick.option_id, PollVotePick.rating, func.count())
        .join(PollVote, PollVote.id == PollVotePick.vote_id)
        .where(PollVote.poll_id == poll_id)
        .group_by(PollVotePick.option_id, PollVotePick.rating)
    )
    return {(option_id, rating): count for option_id, rating, count in rows.all()}


async def _texts(session: AsyncSession, poll_id: int) -> list[str]:
    rows = await session.scalars(
        select(PollVote.text).where(PollVote.poll_id == poll_id, PollVote.text.is_not(None)).order_by(PollVote.id)
    )
    return [text for text in rows.all() if text]


async def tally(session: AsyncSession, poll_id: int) -> dict[int, int]:
    """Votes per option id (choices; picks of multiple choice), counted in the caller's transaction."""
    counts = await _choice_counts(session, poll_id)
    for (option_id, _rating), count in (await _pick_counts(session, poll_id)).items():
        counts[option_id] = counts.get(option_id, 0) + count
    return counts


async def _tallies(session: AsyncSession, poll: Poll) -> list[OptionTally]:
    closed = poll.status is PollStatus.CLOSED
    if poll.kind is PollKind.CONFIDENCE:
        picks = await _pick_counts(session, poll.id)
        return [
            OptionTally(
                id=o.id,
                text=o.text,
                votes=sum(count for (option_id, _), count in picks.items() if option_id == o.id),
                ratings=[picks.get((o.id, n), 0) for n in RATING_SCALE],
            )
            for o in poll.options
        ]
    counts = await tally(session, poll.id)
    return [
        OptionTally(id=o.id, text=o.text, votes=counts.get(o.id, 0), correct=closed and o.correct) for o in poll.options
    ]


# The launcher's card lists the latest answers up to these bounds, which keep it under Teams' 28 KB for a card
# even when every answer is 280 characters of accented letters (the card's text fallback repeats them).
ANSWERS_SHOWN = 40
ANSWERS_CHARACTERS = 2_000
REFRESH_USERS_MAX = 60  # Teams keeps automatic per-user views for at most 60 users


async def _recent_voters(session: AsyncSession, poll: Poll) -> list[str]:
    if poll.anonymous:
        return []  # never stored for anonymous polls
    rows = await session.scalars(
        select(PollVote.teams_user_id)
        .where(PollVote.poll_id == poll.id, PollVote.teams_user_id.is_not(None))
        .order_by(PollVote.answered_at.desc(), PollVote.id.desc())
        .limit(REFRESH_USERS_MAX)
    )
    return [user_id for user_id in rows.all() if user_id]


def _latest(texts: list[str]) -> list[str]:
    shown: list[str] = []
    for answer in reversed(texts):
        if len(shown) == ANSWERS_SHOWN or sum(map(len, shown)) + len(answer) > ANSWERS_CHARACTERS:
            break
        shown.append(answer)
    return shown


async def poll_view(session: AsyncSession, poll: Poll, run_code: str, audience: Audience = Audience.SHARED) -> PollView:
    voters = int(await session.scalar(select(func.count()).where(PollVote.poll_id == poll.id)) or 0)
    shown = audience is Audience.RUNNER or not results_hidden_from_chat(poll)
    options = await _tallies(session, poll)
    texts = await _texts(session, poll.id) if poll.kind is PollKind.OPEN_TEXT and shown else []
    if not shown:
        options = [OptionTally(id=o.id, text=o.text, votes=0) for o in options]
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
        voters=voters,
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
        recent_voters=await _recent_voters(session, poll) if audience is Audience.SHARED else [],
    )
