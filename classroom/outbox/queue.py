"""Queueing notifications: enqueue, cancel, and replace every sent copy of a message.

Domain code never sends anything. It calls :func:`enqueue` inside the transaction of the change that causes
the message (an enquiry saved => its coordinator card queued), so one is never kept without the other; the
host's dispatcher delivers the row later. Every row carries a dedupe key that names the message for good
(``"enquiry-card:42"``, ``"reminder:run-7:session-3:24h"``): enqueueing the same key again is a no-op, which
makes retried requests and replayed Teams activities harmless.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Update,
    and_,
    bindparam,
    case,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from classroom.errors import InvalidInput
from classroom.outbox.notice import Notice
from classroom.transactions import mark_transaction
from storage.base import UtcDateTime, utcnow
from storage.direct_statements import DirectStatement, direct_driver
from storage.models import NotificationStatus, OutboxNotification
from storage.upsert import dialect_insert

# Set on the session when a row was queued; the host wakes its dispatcher after that session commits.
ENQUEUED_FLAG = "outbox.enqueued"

MAX_DEDUPE_KEY_LENGTH = 300


def _validate(
    dedupe_key: str, due_at: datetime, conversation_key: str | None, recipient: str | None, expires_at: datetime | None
) -> None:
    if (conversation_key is None) == (recipient is None):
        raise InvalidInput("give exactly one of conversation_key or recipient")
    if not dedupe_key or len(dedupe_key) > MAX_DEDUPE_KEY_LENGTH:
        raise InvalidInput(f"dedupe_key must be 1-{MAX_DEDUPE_KEY_LENGTH} characters")
    if due_at.tzinfo is None:
        raise InvalidInput("due_at must be timezone-aware")
    if expires_at is not None and expires_at.tzinfo is None:
        raise InvalidInput("expires_at must be timezone-aware")


async def enqueue(
    session: AsyncSession,
    notice: Notice,
    *,
    due_at: datetime,
    dedupe_key: str,
    conversation_key: str | None = None,
    recipient: str | None = None,
    expires_at: datetime | None = None,
) -> bool:
    """Queue one notification in the caller's transaction (the caller commits).

    Args:
        notice: what to say; its ``KIND`` names the renderer that turns it into a Teams activity.
        due_at: when it may be sent (timezone-aware); now or in the past means "as soon as possible".
        dedupe_key: names this message for good; a second enqueue with the same key does nothing.
        conversation_key: a stored conversation's id (a chat or channel the bot is installed in), or
        recipient: the Entra object id of a person, reached in their 1:1 chat with the bot.
        expires_at: when it stops being worth sending (a reminder: its session's start); never if None.

    Returns:
        True when this call queued the row; False when the key was already queued (or sent).
        A key whose row was cancelled is re-planned with the new values, so features can cancel and
        re-enqueue reminders under the same keys.
    """
    _validate(dedupe_key, due_at, conversation_key, recipient, expires_at)
    values = {
        "dedupe_key": dedupe_key,
        "kind": notice.KIND,
        "conversation_key": conversation_key,
        "recipient_aad_object_id": recipient,
        "payload": notice.payload(),
        "status": NotificationStatus.PENDING,
        "due_at": due_at,
        "next_attempt_at": due_at,
        "expires_at": expires_at,
        **_stamped(utcnow()),
    }
    statement = _enqueue_statement(session.get_bind().dialect.name)
    queued = (await session.execute(statement, values)).first() is not None
    if queued:
        mark_enqueued(session)
    return queued


_ENQUEUED_COLUMNS = (
    "dedupe_key",
    "kind",
    "conversation_key",
    "recipient_aad_object_id",
    "payload",
    "status",
    "due_at",
    "next_attempt_at",
    "expires_at",
)
_ENQUEUE_STATEMENTS: dict[str, Any] = {}


def _stamped(now: datetime) -> dict[str, datetime]:
    """The created and updated times of rows queued ``now`` (the parameters of ``_enqueue_statement``)."""
    return {"created_at": now, "updated_at": now}


def _enqueue_statement(dialect: str) -> Any:
    """:func:`enqueue`'s upsert for ``dialect``, built once (building it, with its ``excluded`` alias of every
    column, cost more than running it) and run with each row's values as parameters."""
    built = _ENQUEUE_STATEMENTS.get(dialect)
    if built is not None:
        return built
    table = OutboxNotification.__table__
    # Each stamp its own parameter (both given the same time): a name bound twice makes SQLAlchemy 2.1's
    # "insertmanyvalues" pass one parameter a row too few on PostgreSQL (asyncpg's numbered parameters).
    stamps = {name: bindparam(name, type_=UtcDateTime()) for name in ("created_at", "updated_at")}
    columns: dict[str, Any] = {name: bindparam(name, type_=table.c[name].type) for name in _ENQUEUED_COLUMNS}
    built = _reviving_cancelled(dialect_insert(dialect, table).values({**columns, **stamps}))
    _ENQUEUE_STATEMENTS[dialect] = built
    return built


def _reviving_cancelled(statement: Any) -> Any:
    """``statement``, an INSERT of outbox rows, as :func:`enqueue`'s upsert: a row new, or revived from cancelled,
    returns its id; one queued already is left as it is."""
    table = OutboxNotification.__table__
    revived: dict[str, Any] = {name: statement.excluded[name] for name in _ENQUEUED_COLUMNS if name != "dedupe_key"}
    # A revived row is a new message: fresh tries (attempts keeps counting claims), nothing sent yet. No bound
    # parameter in the SET clause (NULL written as such, ``updated_at`` the row's own): with one,
    # SQLAlchemy sends the rows of ``enqueue_many`` a statement each, not as one INSERT of many VALUES.
    revived.update(
        superseded_attempts=table.c.attempts,
        activity_id=null(),
        sent_conversation_id=null(),
        lease_owner=null(),
        lease_expires_at=null(),
        last_error=null(),
        updated_at=statement.excluded.updated_at,
    )
    return statement.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_=revived,
        # Written in the SQL, not bound: a parameter after the VALUES makes SQLAlchemy 2.1's "insertmanyvalues"
        # miscount its parameters on PostgreSQL (asyncpg's numbered ones): "expects 309 arguments, 308 passed".
        where=table.c.status == literal_column(f"'{NotificationStatus.CANCELLED.value}'"),
    ).returning(table.c.id)


@dataclass(frozen=True)
class Queued:
    """One row for :func:`enqueue_many`: the arguments :func:`enqueue` takes."""

    notice: Notice
    due_at: datetime
    dedupe_key: str
    conversation_key: str | None = None
    recipient: str | None = None
    expires_at: datetime | None = None


async def enqueue_many(session: AsyncSession, rows: Sequence[Queued]) -> int:
    """:func:`enqueue` for several rows at once (a confirmed place queues a dozen reminders, prompts and surveys);
    returns how many were queued (new, or revived from cancelled). Each row behaves as if enqueued on its own.

    One call of :func:`enqueue`'s statement with every row's parameters (an executemany), not a statement built
    with many VALUES: SQLAlchemy compiles such a statement afresh on every call (it cannot cache one), which cost
    more than the separate statements it saved. The executemany itself goes as one INSERT of many VALUES, which
    SQLAlchemy writes from the cached statement ("insertmanyvalues"; see ``_enqueue_statement``)."""
    if not rows:
        return 0
    for row in rows:
        _validate(row.dedupe_key, row.due_at, row.conversation_key, row.recipient, row.expires_at)
    if len({row.dedupe_key for row in rows}) != len(rows):
        # Were the rows ever sent as one statement, it could not touch a row twice: one at a time instead.
        queued = 0
        for row in rows:
            queued += await enqueue(
                session,
                row.notice,
                due_at=row.due_at,
                dedupe_key=row.dedupe_key,
                conversation_key=row.conversation_key,
                recipient=row.recipient,
                expires_at=row.expires_at,
            )
        return queued
    stamps = _stamped(utcnow())
    values = [_row_values(row, stamps) for row in rows]
    statement = _enqueue_statement(session.get_bind().dialect.name)
    queued = len((await session.execute(statement, values)).all())
    if queued:
        mark_enqueued(session)
    return queued


def enqueue_many_on(connection: Connection, rows: Sequence[Queued]) -> int:
    """:func:`enqueue_many` from synchronous code, on the connection of the work of
    ``classroom.transactions.in_transaction_on`` (or ``on_session_connection``): the rows in one INSERT of many
    VALUES built once per power of two of rows (``_enqueue_rows``, ``_in_sizes_built``), run on sqlite3 directly
    where it can (``DirectStatement``), where ``Connection.execute``'s executemany processed every row's parameters
    through SQLAlchemy. Each row behaves as if enqueued on its own; returns how many were queued."""
    if not rows:
        return 0
    for row in rows:
        _validate(row.dedupe_key, row.due_at, row.conversation_key, row.recipient, row.expires_at)
    dialect = connection.dialect.name
    stamps = _stamped(utcnow())
    values = [_row_values(row, stamps) for row in rows]
    if len({row.dedupe_key for row in rows}) != len(rows):  # as ``enqueue_many``: one at a time
        batches = [[one] for one in values]
    elif direct_driver(connection) is None:  # (and never padded: see ``_in_sizes_built``)
        # Not on sqlite3 directly (PostgreSQL, or listeners on the engine): SQLAlchemy compiles a statement of many
        # VALUES afresh on every run (it caches none), so ``enqueue_many``'s executemany of the cached one-row upsert,
        # sent as one INSERT all the same.
        statement = _enqueue_statement(dialect)
        queued = len(connection.execute(statement, values).all())
        if queued:
            mark_enqueued(connection)
        return queued
    else:
        batches = _in_sizes_built(values)
    queued = 0
    for batch in batches:
        parameters = {f"{name}_{at}": value for at, one in enumerate(batch) for name, value in one.items()}
        queued += len(_enqueue_rows(dialect, len(batch)).execute(connection, parameters).rows)
    if queued:
        mark_enqueued(connection)
    return queued


# Rows a statement of ``_enqueue_rows`` takes at most (11 parameters a row: within SQLite's oldest limit of 999).
_MOST_ROWS = 64


def _in_sizes_built(values: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``values`` in batches of at most 64 rows, each padded to a power of two (1, 2, 4 ... 64 rows) by repeating its
    last row: one statement (and its compiled form, ~0.4 MB for 64 rows) is kept per size, seven at most rather than
    one per row count (all 64 kept ~25 MB), and a place's rows still go in one statement.

    A repeated row changes and returns nothing: it meets the row its first copy has just queued (or left), which is
    not cancelled, so the upsert leaves it. For sqlite3 directly only: PostgreSQL refuses a statement touching a row
    twice."""
    batches = []
    for at in range(0, len(values), _MOST_ROWS):
        batch = values[at : at + _MOST_ROWS]
        size = 1 << (len(batch) - 1).bit_length()
        batches.append(batch + [batch[-1]] * (size - len(batch)))
    return batches


def _row_values(row: Queued, stamps: dict[str, datetime]) -> dict[str, Any]:
    """The parameters of ``row`` for :func:`enqueue`'s upsert (``stamps``: ``_stamped``)."""
    return {
        "dedupe_key": row.dedupe_key,
        "kind": row.notice.KIND,
        "conversation_key": row.conversation_key,
        "recipient_aad_object_id": row.recipient,
        "payload": row.notice.payload(),
        "status": NotificationStatus.PENDING,
        "due_at": row.due_at,
        "next_attempt_at": row.due_at,
        "expires_at": row.expires_at,
        **stamps,
    }


@cache
def _enqueue_rows(dialect: str, count: int) -> DirectStatement:
    """:func:`enqueue`'s upsert of ``count`` rows in one statement (each row's parameters suffixed ``_0``, ``_1``...):
    a row new, or revived from cancelled, returns its id; one queued already is left as it is. Built once per
    dialect and count (a power of two: ``_in_sizes_built``)."""
    table = OutboxNotification.__table__
    names = (*_ENQUEUED_COLUMNS, "created_at", "updated_at")
    # The columns with Python-side defaults given as the model's defaults give them (computed per row otherwise).
    fixed = {"attempts": 0, "superseded_attempts": 0, "changed_while_sending": False}
    rows = [
        {**{name: bindparam(f"{name}_{at}", type_=table.c[name].type) for name in names}, **fixed}
        for at in range(count)
    ]
    return DirectStatement(_reviving_cancelled(dialect_insert(dialect, table).values(rows)))


def mark_enqueued(transaction: AsyncSession | Session | Connection) -> None:
    """Tell the dispatchers, when this transaction commits, that rows fell due (``bot/delivery/wake_on_commit``).

    ``transaction``: a session, or the connection of ``classroom.transactions.in_transaction_on``'s work."""
    if isinstance(transaction, Connection):
        mark_transaction(transaction, ENQUEUED_FLAG)
    else:
        transaction.info[ENQUEUED_FLAG] = True


def _has_dedupe_prefix() -> ColumnElement[bool]:
    key = OutboxNotification.__table__.c.dedupe_key
    first: BindParameter[str] = bindparam("prefix_first")
    after: BindParameter[str] = bindparam("prefix_after")
    return and_(key >= first, key < after, func.substr(key, 1, func.length(first)) == first)


# Outbox rows whose dedupe key starts with a prefix (the parameters come from ``dedupe_prefix_params``), found
# through the key's unique index. A range on the key (the column compares byte by byte on both backends) lets
# the database walk the index; the leading characters compared with the prefix are the exact test. Not a LIKE:
# SQLite prepares a statement whose LIKE pattern is a parameter again at every execution (its LIKE optimisation
# depends on the pattern), and for the outbox's long UPDATEs that preparation cost several times the update.
HAS_DEDUPE_PREFIX = _has_dedupe_prefix()


def checked_per_row(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition`` as a test of each row found some other way (by dedupe key), never as a way to find rows.

    SQLite keeps no statistics unless told to, so for ``status IN (...) AND <key range>`` it walks the status
    index, through every sent row the table keeps, rather than the key's range that finds a handful. The
    planner cannot use a CASE to find rows.
    """
    return case((condition, true()), else_=false())


def dedupe_prefix_params(prefix: str) -> dict[str, str]:
    """The parameters of ``HAS_DEDUPE_PREFIX`` for ``prefix``."""
    if not prefix:
        raise InvalidInput("an empty prefix would match everything")
    return {"prefix_first": prefix, "prefix_after": _first_key_past(prefix)}


def _first_key_past(prefix: str) -> str:
    """A key greater than every key starting with ``prefix``, in code point order (which is UTF-8 byte order).

    The last character that can be raised is raised: a trailing U+10FFFF has no successor, and the one after
    U+D7FF is U+E000, since surrogates cannot be stored.
    """
    stem = prefix.rstrip(chr(sys.maxunicode))
    if not stem:
        raise InvalidInput("no key follows a prefix made only of U+10FFFF")
    following = ord(stem[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000
    return stem[:-1] + chr(following)


def _cancel_by_prefix_statement() -> Update:
    outbox = OutboxNotification.__table__.c
    unsent = or_(outbox.status == NotificationStatus.PENDING, outbox.status == NotificationStatus.UNDELIVERABLE)
    return (
        update(OutboxNotification.__table__)  # type: ignore[arg-type]  # the table: a Core executemany
        .where(HAS_DEDUPE_PREFIX, checked_per_row(unsent), outbox.activity_id.is_(None))
        .values(status=NotificationStatus.CANCELLED, updated_at=bindparam("now", type_=UtcDateTime()))
    )


# Built once; on the table, so that several prefixes can run it as one executemany (``cancel_by_dedupe_prefixes``).
_CANCEL_BY_PREFIX = _cancel_by_prefix_statement()


async def cancel_by_dedupe_prefix(session: AsyncSession, prefix: str) -> int:
    """Cancel every not-yet-sent notification whose dedupe key starts with ``prefix``: pending ones, and ones
    waiting for the person's chat (which would otherwise go out, as they were, once they install the app).

    For features that re-plan (a session moved: cancel ``"reminder:run-7:"`` and enqueue the new ones).
    Rows already being sent are left alone: they may be on the wire; so are pending replacements of
    messages Teams already has (they carry an ``activity_id``). Returns how many were cancelled.
    """
    if not prefix:
        raise InvalidInput("an empty prefix would cancel everything")
    result = await session.execute(_CANCEL_BY_PREFIX, {**dedupe_prefix_params(prefix), "now": utcnow()})
    return int(result.rowcount)  # type: ignore[attr-defined]


async def cancel_by_dedupe_prefixes(session: AsyncSession, prefixes: Sequence[str]) -> None:
    """:func:`cancel_by_dedupe_prefix` for each of ``prefixes``, in one run of one statement (a place given up
    cancels its reminders, prompts and surveys). How many were cancelled is not returned: drivers do not all count
    the rows of an executemany."""
    if not prefixes:
        return
    now = utcnow()
    await session.execute(_CANCEL_BY_PREFIX, [{**dedupe_prefix_params(prefix), "now": now} for prefix in prefixes])


def cancel_by_dedupe_prefixes_on(connection: Connection, prefixes: Sequence[str]) -> None:
    """:func:`cancel_by_dedupe_prefixes` from synchronous code, on the connection of the caller's transaction: one
    statement whose condition names every prefix (built once per number of prefixes), run on sqlite3 directly
    where it can (``DirectStatement``)."""
    if not prefixes:
        return
    parameters: dict[str, Any] = {"now": utcnow()}
    for at, prefix in enumerate(prefixes):
        parameters.update({f"{name}_{at}": value for name, value in dedupe_prefix_params(prefix).items()})
    _cancel_by_prefixes(len(prefixes)).execute(connection, parameters)


@cache
def _cancel_by_prefixes(count: int) -> DirectStatement:
    """``_CANCEL_BY_PREFIX`` for ``count`` prefixes at once (the parameters of each suffixed ``_0``, ``_1``...):
    each prefix a range of the key's index (SQLite's OR optimisation walks each), as in ``HAS_DEDUPE_PREFIX``."""
    outbox = OutboxNotification.__table__.c
    key = outbox.dedupe_key
    unsent = or_(outbox.status == NotificationStatus.PENDING, outbox.status == NotificationStatus.UNDELIVERABLE)

    def has_prefix(at: int) -> ColumnElement[bool]:
        first: BindParameter[str] = bindparam(f"prefix_first_{at}")
        after: BindParameter[str] = bindparam(f"prefix_after_{at}")
        return and_(key >= first, key < after, func.substr(key, 1, func.length(first)) == first)

    return DirectStatement(
        update(OutboxNotification.__table__)  # type: ignore[arg-type]
        .where(or_(*(has_prefix(at) for at in range(count))), checked_per_row(unsent), outbox.activity_id.is_(None))
        .values(status=NotificationStatus.CANCELLED, updated_at=bindparam("now", type_=UtcDateTime()))
    )


def _replace_copies_statement() -> Update:
    outbox = OutboxNotification.__table__.c
    status, now = outbox.status, bindparam("now", type_=UtcDateTime())
    due = bindparam("due", type_=UtcDateTime())
    # Equalities, not IN lists: SQLAlchemy rewrites an IN list's SQL at every execution. A copy waiting for the
    # person's chat keeps waiting, with the new payload: it goes out as the card now is once they install the app.
    unsent = or_(
        status == NotificationStatus.PENDING,
        status == NotificationStatus.SENDING,
        status == NotificationStatus.UNDELIVERABLE,
    )
    teams_has_it = _teams_has_it()
    return (
        update(OutboxNotification.__table__)  # type: ignore[arg-type]
        .where(HAS_DEDUPE_PREFIX, checked_per_row(or_(unsent, teams_has_it)))
        .values(
            payload=bindparam("payload"),
            # A copy on the wire keeps, in due_at, when its replacement may go (claims._MARK_SENT reads it).
            due_at=case((teams_has_it, due), (status == NotificationStatus.SENDING, due), else_=outbox.due_at),
            **_due_again(teams_has_it, due, now),
        )
    )


def _teams_has_it() -> ColumnElement[bool]:
    """The copy is in the chat (sent, or given up on after it was), so a change replaces it there."""
    outbox = OutboxNotification.__table__.c
    return and_(
        or_(outbox.status == NotificationStatus.SENT, outbox.status == NotificationStatus.DEAD),
        outbox.activity_id.is_not(None),
        outbox.sent_conversation_id.is_not(None),
    )


def _due_again(teams_has_it: ColumnElement[bool], due: ColumnElement[Any], now: Any) -> dict[str, Any]:
    """The values that make a copy Teams has due again at ``due`` as a replacement, and mark one on the wire as
    changed while it was being sent (so it is sent again)."""
    outbox = OutboxNotification.__table__.c

    def when_teams_has_it(value: Any, otherwise: ColumnElement[Any]) -> ColumnElement[Any]:
        return case((teams_has_it, value), else_=otherwise)

    return {
        "changed_while_sending": outbox.status == NotificationStatus.SENDING,
        "status": when_teams_has_it(NotificationStatus.PENDING, outbox.status),
        "next_attempt_at": when_teams_has_it(due, outbox.next_attempt_at),
        # Fresh tries for the replacement; attempts itself keeps counting claims (the claim token).
        "superseded_attempts": when_teams_has_it(outbox.attempts, outbox.superseded_attempts),
        "last_error": when_teams_has_it(None, outbox.last_error),
        "lease_owner": when_teams_has_it(None, outbox.lease_owner),
        "lease_expires_at": when_teams_has_it(None, outbox.lease_expires_at),
        "updated_at": now,
    }


# Built once: live cards change on every button pressed, and building this costs more than running it.
_REPLACE_COPIES = _replace_copies_statement()
_REPLACE_COPIES_ON = DirectStatement(_REPLACE_COPIES)  # from synchronous code: on sqlite3 directly where it can


def _stale_copies_statement() -> Update:
    outbox = OutboxNotification.__table__.c
    status, now = outbox.status, bindparam("now", type_=UtcDateTime())
    later = bindparam("later", type_=UtcDateTime())
    # A copy not sent yet, or whose next send is already asked for, will be drawn afresh anyway: left alone, so
    # the many changes between two sends do not all write (and wait for each other on) the same rows.
    sending = and_(status == NotificationStatus.SENDING, outbox.changed_while_sending.is_(False))
    teams_has_it = _teams_has_it()
    # Sent within the gap: the next send waits for the gap from now (so it is at least that long after the last).
    due = case((outbox.sent_at > bindparam("recent", type_=UtcDateTime()), later), else_=now)
    return (
        update(OutboxNotification.__table__)  # type: ignore[arg-type]
        .where(HAS_DEDUPE_PREFIX, checked_per_row(or_(sending, teams_has_it)))
        .values(
            # A copy on the wire: sent again a gap from now (``_MARK_SENT``).
            due_at=case((teams_has_it, due), else_=later),
            **_due_again(teams_has_it, due, now),
        )
        .returning(outbox.status, outbox.next_attempt_at)
    )


_STALE_COPIES = _stale_copies_statement()


_LAST_SENT = select(func.max(OutboxNotification.__table__.c.sent_at)).where(HAS_DEDUPE_PREFIX)


async def last_sent(session: AsyncSession, key_prefix: str) -> datetime | None:
    """When a copy of the message (dedupe keys starting with ``key_prefix``) was last sent, if ever."""
    return await session.scalar(_LAST_SENT, dedupe_prefix_params(key_prefix))


# A notice kind's step that reads its payload anew when it is sent (given the stored one): see ``resend_copies``.
FreshPayload = Callable[[AsyncSession, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class ResentCopies:
    """What ``resend_copies`` did: how many copies it made due again, and the earliest time any of them can be
    drawn (None when none was made due, or one is on the wire and goes again once its send is recorded)."""

    copies: int
    drawn_from: datetime | None


async def resend_copies(session: AsyncSession, key_prefix: str, *, now: datetime, gap: timedelta) -> ResentCopies:
    """Every copy of one message (dedupe keys starting with ``key_prefix``) is sent again, its payload drawn afresh
    when it goes (the kind's renderer has a ``fresh`` step: ``bot.delivery.renderers``), at most once per ``gap``.

    For a live card whose content changes many times a second (a poll's counts): the change itself is not
    written, only that the copies Teams has are out of date, once per send. Copies not sent yet, or already due
    again, are left as they are (they will be drawn afresh), so most calls write nothing. Call it after the
    change committed: a copy claimed before that is then either drawn after it, or found being sent here and sent
    again. Returns how many copies were made due again, and from when they can be drawn: until then (the caller's
    transaction committed) a later change needs no call of its own, as every copy made due is drawn after it.
    """
    parameters = {
        "now": now,
        "later": now + gap,
        "recent": now - gap,
        **dedupe_prefix_params(key_prefix),
    }
    rows = (await (await session.connection()).execute(_STALE_COPIES, parameters)).all()
    if not rows:
        return ResentCopies(0, None)
    mark_enqueued(session)
    on_the_wire = any(status != NotificationStatus.PENDING or due is None for status, due in rows)
    return ResentCopies(len(rows), None if on_the_wire else min(due for _status, due in rows))


async def replace_copies(
    session: AsyncSession,
    key_prefix: str,
    notice: Notice,
    *,
    now: datetime,
    not_before: datetime | None = None,
    wake: bool = True,
) -> int:
    """Every copy of one message (the rows whose dedupe key starts with ``key_prefix``) shows ``notice`` now.

    For cards that change after they are sent (an enquiry's coordinator card, a poll's live results). Copies
    not sent yet go out with the new payload (those waiting for the person's chat, once they have one); a copy
    on the wire right now is sent again with it as soon as that send is recorded. Copies Teams has (and copies
    whose last replacement failed) are due again: the dispatcher replaces each message (``PUT``) once this
    transaction commits, within Teams' rate limits, retried like any notification; several changes before it
    gets there become one update. Returns how many copies will be (re)sent.

    ``not_before``: copies Teams has are replaced no earlier than this (a live card spaces its updates; every
    change until then joins the same update). Copies not sent yet keep their own due time.

    ``wake=False``: the copies' due time is one the dispatchers were already woken for (a change joining an update
    already scheduled), so waking them again would only make them look for work that is not due yet.

    It runs on the session's connection and does not flush the ORM session first: flush what it must see.
    """
    parameters = _replacement(key_prefix, notice, now, not_before)
    copies = int((await (await session.connection()).execute(_REPLACE_COPIES, parameters)).rowcount)
    if copies and wake:
        mark_enqueued(session)  # wake the dispatchers when this commits
    return copies


def replace_copies_on(connection: Connection, key_prefix: str, notice: Notice, *, now: datetime) -> int:
    """:func:`replace_copies` (due now, dispatchers woken) from synchronous code, on the connection of the work of
    ``classroom.transactions.in_transaction_on`` (or ``on_session_connection``)."""
    copies = _REPLACE_COPIES_ON.execute(connection, _replacement(key_prefix, notice, now, None)).rowcount
    if copies:
        mark_enqueued(connection)  # wake the dispatchers when this commits
    return copies


def _replacement(key_prefix: str, notice: Notice, now: datetime, not_before: datetime | None) -> dict[str, Any]:
    """The parameters of ``_REPLACE_COPIES``."""
    due = now if not_before is None else max(now, not_before)
    return {"payload": notice.payload(), "now": now, "due": due, **dedupe_prefix_params(key_prefix)}
