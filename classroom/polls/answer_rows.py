"""One person's answer row: found by its voter key, and written (a first answer, or a change).

A vote does this on every turn, so the answers of one option or words (single choice, quiz, rating, open text)
are read and written with statements built once, on the transaction's connection, without the ORM's unit of
work; answers with picks (multiple choice, confidence) keep their rows of picks through the ORM. Either way the
caller holds the poll's lock (``polls.lock_poll``), so one person's two presses never write at once, and the
unique key (poll, voter key) still refuses a second row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BindParameter, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.polls.ballots import CheckedAnswer, store
from classroom.text import bounded
from storage.models import Poll, PollKind, PollVote

WITH_PICKS = frozenset({PollKind.MULTIPLE_CHOICE, PollKind.CONFIDENCE})
NAME_MAX = 200

_VOTES = PollVote.__table__.c
_POLL: BindParameter[int] = bindparam("poll")
_KEY: BindParameter[str] = bindparam("key")
_EARLIER = select(_VOTES.id, _VOTES.option_id, _VOTES.text).where(_VOTES.poll_id == _POLL, _VOTES.voter_key == _KEY)
_FIRST = insert(PollVote.__table__).values(  # type: ignore[arg-type]
    poll_id=_POLL,
    voter_key=_KEY,
    voter_name=bindparam("name"),
    option_id=bindparam("option_id"),
    text=bindparam("text"),
    answered_at=bindparam("answered_at"),
    teams_user_id=bindparam("teams_user_id"),
)
_CHANGE = (
    update(PollVote.__table__)  # type: ignore[arg-type]
    .where(_VOTES.id == bindparam("vote"))
    .values(
        option_id=bindparam("option_id"),
        text=bindparam("text"),
        answered_at=bindparam("answered_at"),
        teams_user_id=bindparam("teams_user_id"),
    )
)


async def earlier_answer(session: AsyncSession, poll: Poll, key: str) -> PollVote | None:
    """The answer already stored under ``key`` (with its picks), or None. For the kinds without picks it is a
    plain copy of the row, not one the session tracks."""
    if poll.kind in WITH_PICKS:
        return await session.scalar(select(PollVote).where(PollVote.poll_id == poll.id, PollVote.voter_key == key))
    found = (await (await session.connection()).execute(_EARLIER, {"poll": poll.id, "key": key})).first()
    if found is None:
        return None
    return PollVote(id=found.id, poll_id=poll.id, voter_key=key, option_id=found.option_id, text=found.text)


async def record_answer(
    session: AsyncSession,
    poll: Poll,
    key: str,
    answer: CheckedAnswer,
    voter_name: str,
    teams_id: str | None,
    earlier: PollVote | None,
    *,
    now: datetime,
) -> PollVote:
    """Store ``answer`` under ``key``: a new row, or ``earlier`` (from ``earlier_answer``) changed. A named poll
    keeps the voter's name, when they answered and their Teams id (for per-user card views); an anonymous one
    none of them. Returns the answer as stored."""
    named = not poll.anonymous
    answered_at = now if named else None
    teams_user_id = bounded(teams_id, NAME_MAX) if named and teams_id else None
    if poll.kind in WITH_PICKS:
        vote = earlier or PollVote(
            poll_id=poll.id, voter_key=key, voter_name=bounded(voter_name, NAME_MAX) if named else None
        )
        store(vote, answer)
        if named:
            vote.answered_at, vote.teams_user_id = answered_at, teams_user_id
        session.add(vote)
        await session.flush()
        return vote
    values = {
        "option_id": answer.option_id,
        "text": answer.text,
        "answered_at": answered_at,
        "teams_user_id": teams_user_id,
    }
    connection = await session.connection()
    if earlier is None:
        name = bounded(voter_name, NAME_MAX) if named else None
        await connection.execute(_FIRST, {"poll": poll.id, "key": key, "name": name, **values})
    else:
        await connection.execute(_CHANGE, {"vote": earlier.id, **values})
    return PollVote(poll_id=poll.id, voter_key=key, option_id=answer.option_id, text=answer.text)
