"""What cards show of a poll, as plain data that also travels as JSON in the outbox (``notices``).

Counts, percentages and the number of voters only: a shared card never says who chose what.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.outbox import NoticePart
from storage.models import Poll, PollKind, PollResults, PollStatus, PollVote


class OptionTally(NoticePart):
    id: int
    text: str
    votes: int


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

    @property
    def closed(self) -> bool:
        return self.status is PollStatus.CLOSED

    def percent(self, option: OptionTally) -> int:
        """The option's share of the voters, rounded to a whole percent (0 when nobody has voted)."""
        return round(100 * option.votes / self.voters) if self.voters else 0

    def option(self, option_id: int) -> OptionTally | None:
        return next((option for option in self.options if option.id == option_id), None)


async def tally(session: AsyncSession, poll_id: int) -> dict[int, int]:
    """Votes per option id, counted in the caller's transaction."""
    rows = await session.execute(
        select(PollVote.option_id, func.count()).where(PollVote.poll_id == poll_id).group_by(PollVote.option_id)
    )
    return {option_id: count for option_id, count in rows.all()}


async def poll_view(session: AsyncSession, poll: Poll, run_code: str) -> PollView:
    counts = await tally(session, poll.id)
    return PollView(
        id=poll.id,
        run_code=run_code,
        kind=poll.kind,
        question=poll.question,
        anonymous=poll.anonymous,
        changeable=poll.changeable,
        results=poll.results,
        status=poll.status,
        options=[OptionTally(id=o.id, text=o.text, votes=counts.get(o.id, 0)) for o in poll.options],
        voters=sum(counts.values()),  # single choice: one vote per voter
        launched_by_name=poll.launched_by_name,
        launched_at=poll.launched_at,
        closed_by_name=poll.closed_by_name,
        closed_at=poll.closed_at,
    )
