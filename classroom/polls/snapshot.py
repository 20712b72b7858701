"""The poll as a vote needs it: locked against its close, with its options and its run's code, in one statement.

A vote runs this on every turn. Loading the poll through the ORM (identity map, eager loading of its options,
populate-existing) cost more than all the vote's other statements together, and a vote changes nothing of the
poll. So the row comes back as plain columns and becomes a ``Poll`` the session does not track. Closing, which
changes the poll, loads it through the ORM (``polls.lock_poll``).

On PostgreSQL the lock is shared: votes for one poll do not wait for each other, while the close (exclusive) waits
for every vote in flight, and a vote arriving meanwhile waits for the close, then finds the poll closed. It is
a transaction-level advisory lock on the poll's id (``poll_gate``), taken before the poll is read, because the
lock manager queues a vote behind a close already waiting; with row locks alone (the vote ``FOR KEY SHARE``, the
close ``FOR UPDATE``) votes arriving all the time kept the close waiting for as long as they came (10 s and
counting at 32 voters voting again and again). The row is still read ``FOR KEY SHARE``, which is what the
close's ``FOR UPDATE`` waits for should anything else lock the poll. SQLite has one writer at a time anyway:
there a vote takes the database's write lock first (as ``classroom.enrolment.locking`` explains).
"""

from __future__ import annotations

from sqlalchemy import BindParameter, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import NotFound
from storage.base import read_only_copy
from storage.models import CourseRun, Poll, PollOption

_POLLS = Poll.__table__
_OPTIONS = PollOption.__table__
_RUNS = CourseRun.__table__
_ID: BindParameter[int] = bindparam("poll_id")
# Every column of the poll a vote reads (checks, voter key, views, card timing): the rest stay unloaded. Options
# are joined outer: an open-text poll has none, and comes back as one row without one.
_POLL_COLUMNS = (
    "id",
    "run_id",
    "conversation_id",
    "kind",
    "question",
    "anonymous",
    "results",
    "changeable",
    "status",
    "hmac_key",
    "launched_by_aad_object_id",
    "launched_by_name",
    "launched_at",
    "closed_by_name",
    "closed_at",
    "max_picks",
    "low_label",
    "high_label",
    "closes_at",
)
_OPTION_COLUMNS = ("id", "position", "text", "correct")
# The advisory locks' first key: these locks are about polls (the second key is the poll's id).
POLL_GATE = 14
_SHARED_GATE = select(func.pg_advisory_xact_lock_shared(POLL_GATE, _ID))
_SQLITE_WRITE_LOCK = update(_POLLS).where(_POLLS.c.id == _ID).values(status=_POLLS.c.status)  # type: ignore[arg-type]
_SNAPSHOT = (
    select(
        *(_POLLS.c[name] for name in _POLL_COLUMNS),
        _RUNS.c.code,
        *(_OPTIONS.c[name].label(f"option_{name}") for name in _OPTION_COLUMNS),
    )
    .select_from(
        _POLLS.join(_RUNS, _RUNS.c.id == _POLLS.c.run_id).outerjoin(_OPTIONS, _OPTIONS.c.poll_id == _POLLS.c.id)
    )
    .where(_POLLS.c.id == _ID)
    .order_by(_OPTIONS.c.position)
    .with_for_update(of=_POLLS, read=True, key_share=True)
)


async def locked_for_answer(session: AsyncSession, poll_id: int) -> tuple[Poll, str]:
    """The poll (not tracked by the session) and its run's code, the poll locked against its close for the rest of
    the caller's transaction (the shared ``poll_gate``; on SQLite the database's write lock). Raises NotFound."""
    connection = await session.connection()
    gate = _SHARED_GATE if connection.dialect.name == "postgresql" else _SQLITE_WRITE_LOCK
    await connection.execute(gate, {"poll_id": poll_id})
    rows = (await connection.execute(_SNAPSHOT, {"poll_id": poll_id})).all()
    if not rows:
        raise NotFound("no such poll")
    first = rows[0]._mapping
    poll = read_only_copy(Poll, {name: first[name] for name in _POLL_COLUMNS})
    poll.__dict__["options"] = [
        read_only_copy(
            PollOption, {"poll_id": poll_id, **{name: row._mapping[f"option_{name}"] for name in _OPTION_COLUMNS}}
        )
        for row in rows
        if row._mapping["option_id"] is not None  # an open-text poll has none
    ]
    return poll, first["code"] or ""


_GATE = select(func.pg_advisory_xact_lock(POLL_GATE, _ID))


async def poll_gate(session: AsyncSession, poll_id: int) -> None:
    """PostgreSQL: take the poll's lock exclusively for the rest of the caller's transaction (the close), after every
    vote in flight and before any vote that comes later. Elsewhere nothing (SQLite has one writer at a time)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(_GATE, {"poll_id": poll_id})
