"""One person's answer row: found by its voter key, and written (a first answer, or a change).

A vote does this on every turn, so answers are read and written with statements built once, on the
transaction's connection, without the ORM's unit of work (answers with picks, multiple choice and confidence,
keep theirs in ``poll_vote_picks``).

Votes for one poll run side by side on PostgreSQL (``snapshot.locked_for_answer`` only keeps the close out), so
one person's two presses at once are kept apart here: an earlier answer is read ``FOR UPDATE`` (the second
press waits for the first, then sees what it wrote), and a first answer is inserted ``ON CONFLICT DO NOTHING``
(the unique key (poll, voter key) makes the second press wait for the first; it then inserts nothing, and the
caller reads the answer the first press stored, as if it had been there all along).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.polls.ballots import CheckedAnswer
from classroom.text import bounded
from storage.base import read_only_copy
from storage.models import Poll, PollKind, PollVote, PollVotePick
from storage.padding import padded
from storage.upsert import dialect_insert

WITH_PICKS = frozenset({PollKind.MULTIPLE_CHOICE, PollKind.CONFIDENCE})
NAME_MAX = 200

_VOTES = PollVote.__table__.c
_PICKS = PollVotePick.__table__.c
_POLL: BindParameter[int] = bindparam("poll")
_KEY: BindParameter[str] = bindparam("key")
_VOTE: BindParameter[int] = bindparam("vote")
_PEEK = select(_VOTES.id, _VOTES.option_id, _VOTES.text).where(_VOTES.poll_id == _POLL, _VOTES.voter_key == _KEY)
_EARLIER = _PEEK.with_for_update(of=PollVote.__table__)
_EARLIER_PICKS = select(_PICKS.option_id, _PICKS.rating).where(_PICKS.vote_id == _VOTE).order_by(_PICKS.option_id)
_FIRST_VALUES = {
    "poll_id": _POLL,
    "voter_key": _KEY,
    "voter_name": bindparam("name"),
    "option_id": bindparam("option_id"),
    "text": bindparam("text"),
    "answered_at": bindparam("answered_at"),
    "teams_user_id": bindparam("teams_user_id"),
}
_FIRST = {
    dialect: dialect_insert(dialect, PollVote.__table__)
    .values(**_FIRST_VALUES)
    .on_conflict_do_nothing(index_elements=["poll_id", "voter_key"])
    .returning(_VOTES.id)
    for dialect in ("sqlite", "postgresql")
}
_CHANGE = (
    update(PollVote.__table__)  # type: ignore[arg-type]
    .where(_VOTES.id == _VOTE)
    .values(
        option_id=bindparam("option_id"),
        text=bindparam("text"),
        answered_at=bindparam("answered_at"),
        teams_user_id=bindparam("teams_user_id"),
    )
)
# Several voters at once (``earlier_answers``, ``record_answers``): each a statement for all of them.
_EARLIER_ALL = (
    select(_VOTES.id, _VOTES.voter_key, _VOTES.option_id, _VOTES.text)
    .where(_VOTES.poll_id == _POLL, _VOTES.voter_key.in_(bindparam("keys", expanding=True)))
    .order_by(_VOTES.id)
    .with_for_update(of=PollVote.__table__)
)
_EARLIER_PICKS_ALL = (
    select(_PICKS.vote_id, _PICKS.option_id, _PICKS.rating)
    .where(_PICKS.vote_id.in_(bindparam("votes", expanding=True)))
    .order_by(_PICKS.vote_id, _PICKS.option_id)
)
_FIRSTS = {
    dialect: dialect_insert(dialect, PollVote.__table__)
    .values(**_FIRST_VALUES)
    .on_conflict_do_nothing(index_elements=["poll_id", "voter_key"])
    .returning(_VOTES.id, _VOTES.voter_key)
    for dialect in ("sqlite", "postgresql")
}
_DROP_PICKS = delete(PollVotePick.__table__).where(_PICKS.vote_id == _VOTE)  # type: ignore[arg-type]
_ADD_PICK = insert(PollVotePick.__table__).values(  # type: ignore[arg-type]
    vote_id=_VOTE, option_id=bindparam("option_id"), rating=bindparam("rating")
)


def _answer(
    poll: Poll,
    key: str,
    vote_id: int | None,
    option_id: int | None,
    text: str | None,
    picks: list[tuple[int, int | None]],
) -> PollVote:
    """A plain copy of an answer (not one the session tracks)."""
    rows = [read_only_copy(PollVotePick, {"vote_id": vote_id, "option_id": o, "rating": r}) for o, r in picks]
    values = {"id": vote_id, "poll_id": poll.id, "voter_key": key, "option_id": option_id, "text": text}
    return read_only_copy(PollVote, {**values, "picks": rows})


async def earlier_answer(session: AsyncSession, poll: Poll, key: str, *, lock: bool = True) -> PollVote | None:
    """The answer already stored under ``key`` (with its picks), or None; with ``lock``, its row stays locked
    (PostgreSQL) for the rest of the caller's transaction."""
    connection = await session.connection()
    found = (await connection.execute(_EARLIER if lock else _PEEK, {"poll": poll.id, "key": key})).first()
    if found is None:
        return None
    picks: list[tuple[int, int | None]] = []
    if poll.kind in WITH_PICKS:
        picks = [(o, r) for o, r in await connection.execute(_EARLIER_PICKS, {"vote": found.id})]
    return _answer(poll, key, found.id, found.option_id, found.text, picks)


def _values(poll: Poll, answer: CheckedAnswer, teams_id: str | None, now: datetime) -> dict[str, object]:
    named = not poll.anonymous
    return {
        "option_id": answer.option_id,
        "text": answer.text,
        "answered_at": now if named else None,
        "teams_user_id": bounded(teams_id, NAME_MAX) if named and teams_id else None,
    }


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
) -> PollVote | None:
    """Store ``answer`` under ``key``: a new row, or ``earlier`` (from ``earlier_answer``) changed. A named poll
    keeps the voter's name, when they answered and their Teams id (for per-user card views); an anonymous one
    none of them. Returns the answer as stored; None when ``earlier`` was None but the same person's other press
    stored a first answer meanwhile (nothing was written: read it with ``earlier_answer`` and decide again)."""
    named = not poll.anonymous
    values = _values(poll, answer, teams_id, now)
    connection = await session.connection()
    if earlier is None:
        name = bounded(voter_name, NAME_MAX) if named else None
        first = _FIRST[connection.dialect.name]
        vote_id = (await connection.execute(first, {"poll": poll.id, "key": key, "name": name, **values})).scalar()
        if vote_id is None:
            return None
    else:
        vote_id = earlier.id
        await connection.execute(_CHANGE, {"vote": vote_id, **values})
        if poll.kind in WITH_PICKS:
            await connection.execute(_DROP_PICKS, {"vote": vote_id})
    if answer.picks:
        picks = [{"vote": vote_id, "option_id": o, "rating": r} for o, r in answer.picks]
        await connection.execute(_ADD_PICK, picks)
    return _answer(poll, key, vote_id, answer.option_id, answer.text, list(answer.picks))


async def earlier_answers(session: AsyncSession, poll: Poll, keys: Sequence[str]) -> dict[str, PollVote]:
    """``earlier_answer`` (locked) of several voters at once, by voter key: one statement, and one for their picks.
    Their rows are locked in id order (two transactions locking some of the same rows wait, not deadlock)."""
    if not keys:
        return {}
    connection = await session.connection()
    found = (await connection.execute(_EARLIER_ALL, {"poll": poll.id, "keys": padded(keys)})).all()
    picks: dict[int, list[tuple[int, int | None]]] = {row.id: [] for row in found}
    if poll.kind in WITH_PICKS and found:
        for vote_id, option_id, rating in await connection.execute(_EARLIER_PICKS_ALL, {"votes": padded(list(picks))}):
            picks[vote_id].append((option_id, rating))
    return {
        row.voter_key: _answer(poll, row.voter_key, row.id, row.option_id, row.text, picks[row.id]) for row in found
    }


@dataclass(frozen=True)
class AnswerWrite:
    """One voter's answer to store with others (``record_answers``): what ``record_answer`` takes."""

    key: str
    answer: CheckedAnswer
    voter_name: str
    teams_id: str | None
    earlier: PollVote | None
    now: datetime


async def record_answers(session: AsyncSession, poll: Poll, writes: Sequence[AnswerWrite]) -> list[PollVote | None]:
    """``record_answer`` for several voters (each key once) at once: their first answers in one statement (in key
    order), their changes in one, their picks in one or two. Each result as ``record_answer``'s: None when that
    voter's other press stored a first answer meanwhile (nothing was written for them)."""
    connection = await session.connection()
    named = not poll.anonymous
    firsts = sorted((w for w in writes if w.earlier is None), key=lambda w: w.key)
    ids: dict[str, int] = {}
    if firsts:
        rows = [
            {
                "poll": poll.id,
                "key": w.key,
                "name": bounded(w.voter_name, NAME_MAX) if named else None,
                **_values(poll, w.answer, w.teams_id, w.now),
            }
            for w in firsts
        ]
        firsts_statement = _FIRSTS[connection.dialect.name]  # a repeated row conflicts: nothing more is stored
        ids = {key: vote_id for vote_id, key in await connection.execute(firsts_statement, padded(rows))}
    changes = [w for w in writes if w.earlier is not None]
    if changes:
        rows = [{"vote": w.earlier.id, **_values(poll, w.answer, w.teams_id, w.now)} for w in changes if w.earlier]
        await connection.execute(_CHANGE, rows)
        if poll.kind in WITH_PICKS:
            await connection.execute(_DROP_PICKS, [{"vote": w.earlier.id} for w in changes if w.earlier])
    stored: list[PollVote | None] = []
    picks: list[dict[str, object]] = []
    for w in writes:
        vote_id = w.earlier.id if w.earlier is not None else ids.get(w.key)
        if vote_id is None:
            stored.append(None)
            continue
        picks += [{"vote": vote_id, "option_id": o, "rating": r} for o, r in w.answer.picks]
        stored.append(_answer(poll, w.key, vote_id, w.answer.option_id, w.answer.text, list(w.answer.picks)))
    if picks:
        await connection.execute(_ADD_PICK, picks)
    return stored
