"""Bot Framework state (ConversationState, UserState) kept in the ``bot_state`` table.

Several bot processes can share one database: every stored document carries an e_tag, and a write that
carries the e_tag it read is applied only if nobody has written the key since (optimistic concurrency,
the same contract as botbuilder's MemoryStorage and CosmosDbPartitionedStorage).
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from botbuilder.core import Storage
from botbuilder.dialogs import DialogInstance, DialogState
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler
from sqlalchemy import Connection, Engine, ScalarSelect, Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.util import greenlet_spawn

from storage import state_documents
from storage.base import utcnow
from storage.direct_statements import DirectStatement
from storage.models.bot_state import BotStateRecord
from storage.upsert import dialect_insert

__all__ = ["MAX_KEY_LENGTH", "ETagConflictError", "SqlAlchemyStorage"]

logger = logging.getLogger(__name__)

#: Longest key the ``bot_state.key`` column holds.
MAX_KEY_LENGTH = 1024

_E_TAG = "e_tag"
_ANY_E_TAG = "*"


class ETagConflictError(KeyError):
    """A conditional write lost: the stored item changed (or was deleted) since the caller read it.

    A KeyError because botbuilder's MemoryStorage raises KeyError for e_tag conflicts, so code written
    against it keeps working.
    """

    def __init__(self, key: str, e_tag: str) -> None:
        super().__init__(key)
        self.key = key
        self.e_tag = e_tag

    def __str__(self) -> str:
        # KeyError's own __str__ would print only the quoted key.
        return (
            f"e_tag conflict on state key {self.key!r}: it was written or deleted by someone else since it "
            f"was read with e_tag {self.e_tag!r}; read it again and retry, or write with e_tag '*'"
        )


_TABLE = cast(Table, BotStateRecord.__table__)
_STATE = _TABLE.c
# Built once: a message turn reads its state with this, and building a statement costs more than running it.
_READ = select(_STATE.key, _STATE.document, _STATE.e_tag).where(_STATE.key.in_(bindparam("keys", expanding=True)))
_READ_ONE = DirectStatement(
    select(_STATE.document, _STATE.e_tag).where(_STATE.key == bindparam("state_key", type_=_STATE.key.type))
)
# A turn's write, built once too, and run on a pooled connection without an ORM session (``SqlAlchemyStorage.write``):
# built per call and run through a session, each write cost about 0.45 ms of CPU, more than the rest of a dialog step.
_NEW_VALUES = {
    "document": bindparam("document", type_=_STATE.document.type),
    "e_tag": bindparam("new_e_tag", type_=_STATE.e_tag.type),
    "updated_at": bindparam("now", type_=_STATE.updated_at.type),
}
_WRITE_IF_UNCHANGED = DirectStatement(
    update(_TABLE)
    .where(_STATE.key == bindparam("state_key", type_=_STATE.key.type), _STATE.e_tag == bindparam("expected_e_tag"))
    .values(_NEW_VALUES)
)


def _upsert(dialect: str) -> DirectStatement:
    """INSERT ... ON CONFLICT DO UPDATE: two processes inserting the same new key both succeed (last wins) instead of
    one failing with a duplicate-key error, as a read-then-insert would."""
    statement = dialect_insert(dialect, _TABLE).values(key=bindparam("state_key", type_=_STATE.key.type), **_NEW_VALUES)
    excluded = statement.excluded
    return DirectStatement(
        statement.on_conflict_do_update(
            index_elements=[_STATE.key],
            set_={"document": excluded.document, "e_tag": excluded.e_tag, "updated_at": excluded.updated_at},
        )
    )


_UPSERTS = {dialect: _upsert(dialect) for dialect in ("sqlite", "postgresql")}

T = TypeVar("T")


def stored_columns(key: BindParameter[str]) -> tuple[ScalarSelect[str], ScalarSelect[str]]:
    """The document and e_tag stored under ``key`` (NULL when nothing is), as columns of a caller's one-row read of
    several things at once (a message turn's first read, ``bot/turn_preload.py``); :func:`restored` reads them."""
    return (
        select(_STATE.document).where(_STATE.key == key).scalar_subquery(),
        select(_STATE.e_tag).where(_STATE.key == key).scalar_subquery(),
    )


def restored(document: str | None, e_tag: str | None) -> Any:
    """The item :func:`stored_columns` read, as ``read`` returns it; None when nothing was stored."""
    return None if document is None or e_tag is None else _restore(document, e_tag)


def document_of(value: object) -> str:
    """The document ``write`` stores for ``value`` (without its e_tag): two values with the same document are the same
    state, so a turn's state whose document is still the one it read has nothing to write. (A value whose document
    does not come back the same from a restore, such as a set, whose order depends on the hash seed, is written
    again each turn: more writes, never a lost one. Dialog state holds plain values.)

    Most turns have no dialog in progress: their state is empty, read and compared at the end, and its document
    is known without jsonpickle, whose set-up (a new ``Pickler``) cost about 3% of a card turn's CPU."""
    if type(value) is dict and not value:
        return _EMPTY_DOCUMENT
    return _serialise(value)


_EMPTY_DOCUMENT = "{}"  # _serialise({})


def checked_key(key: str) -> str:
    """``key`` if the table can hold it (raises as ``read`` does otherwise)."""
    return _checked_keys([key])[0]


class SqlAlchemyStorage(Storage):
    """A botbuilder ``Storage`` on SQLAlchemy (SQLite and PostgreSQL); one short transaction per call.

    Values are serialised like botbuilder's own persistent storages (jsonpickle ``Pickler().flatten``), so
    dicts, ``StoreItem`` subclasses and dialog state (``DialogState``, prompt options, activities)
    round-trip. ``read`` sets each item's current e_tag (dict key ``"e_tag"`` or attribute ``e_tag``);
    ``write`` of an item whose e_tag is None or ``"*"`` is an unconditional upsert, any other e_tag makes the
    write conditional and a mismatch raises :class:`ETagConflictError`. Every successful write gives the item
    a new e_tag and sets it on the caller's dict/object. A multi-key write is all-or-nothing.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        """Return the stored items among ``keys``, each with its e_tag set; missing keys are left out."""
        return {key: item for key, (item, _) in (await self.read_documented(keys)).items()}

    async def read_documented(self, keys: Iterable[str]) -> dict[str, tuple[Any, str]]:
        """``read``, each item with the document it was restored from: its :func:`document_of`, which a caller
        telling a changed state by it would otherwise work out again with a walk of the whole item."""
        wanted = _checked_keys(keys)
        if not wanted:
            return {}

        def read(connection: Connection) -> list[Any]:
            if len(wanted) == 1:  # a turn's state: by its key, as a statement built once
                return [(wanted[0], *row) for row in _READ_ONE.execute(connection, {"state_key": wanted[0]}).rows]
            return list(connection.execute(_READ, {"keys": wanted}))

        rows = await self._in_transaction(read)
        return {key: (_restore(document, e_tag), document) for key, document, e_tag in rows}

    async def write(self, changes: Mapping[str, object], documents: Mapping[str, str] | None = None) -> None:
        """Store every item of ``changes`` in one transaction, honouring each item's e_tag. ``documents``: items'
        :func:`document_of`, where the caller has it already (it costs a walk of the whole item).

        Raises:
            ETagConflictError: an item carried an e_tag that no longer matches the stored one; nothing of
                this call is written.
            ValueError: a key is too long, or an item's e_tag is empty or not a string.
            TypeError: ``changes`` is None, or a key is not a string.
        """
        if changes is None:
            raise TypeError("Changes are required when writing")
        if not changes:
            return
        # Same row order in every process, so two multi-key writes cannot deadlock each other.
        keys = sorted(_checked_keys(changes.keys()))
        pending = [(key, changes[key], _expected_e_tag(key, changes[key])) for key in keys]
        # Serialise before opening the transaction so it stays short.
        known = documents or {}
        stored = {key: known[key] if key in known else _serialise(value) for key, value, _ in pending}
        new_e_tags = {key: uuid.uuid4().hex for key in keys}
        now = utcnow()

        def write(connection: Connection) -> None:
            upsert = _UPSERTS.get(connection.dialect.name)
            if upsert is None:
                raise ValueError(f"the bot supports SQLite and PostgreSQL, not {connection.dialect.name}")
            for key, _, expected in pending:
                values = {"state_key": key, "document": stored[key], "new_e_tag": new_e_tags[key], "now": now}
                if expected is None:
                    upsert.execute(connection, values)
                elif _WRITE_IF_UNCHANGED.execute(connection, {**values, "expected_e_tag": expected}).rowcount == 0:
                    raise ETagConflictError(key, expected)

        await self._in_transaction(write)
        # Only after the commit: on a rollback the callers' items must keep the e_tags they read.
        # Writing the new e_tag back lets a second save in the same turn pass its own check.
        for key, value, _ in pending:
            _set_e_tag(value, new_e_tags[key])

    async def _in_transaction(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)`` in one transaction that commits when it returns, run whole in one greenlet on one of the
        engine's pooled connections (one hand-over to the driver, no ORM session); a factory bound to something other
        than an engine (a test's connection) runs it in a session's transaction instead."""
        bind = self._session_factory.kw.get("bind")
        if isinstance(bind, AsyncEngine):
            return await greenlet_spawn(_transaction_on, bind.sync_engine, work)
        async with self._session_factory() as session, session.begin():
            return await session.run_sync(lambda sync_session: work(sync_session.connection()))

    async def delete(self, keys: Iterable[str]) -> None:
        """Remove ``keys``; keys that are not stored are ignored. Unconditional, like botbuilder's."""
        wanted = _checked_keys(keys)
        if not wanted:
            return
        async with self._session_factory() as session, session.begin():
            await session.execute(
                delete(BotStateRecord)
                .where(BotStateRecord.key.in_(wanted))
                .execution_options(synchronize_session=False)
            )


def _checked_keys(keys: Iterable[str] | None) -> list[str]:
    """Distinct keys in first-seen order; refuses a bare string and keys the column cannot hold."""
    if not keys:
        return []
    if isinstance(keys, str):
        # A bare string is iterable too: it would silently be read as one key per character.
        raise TypeError(f"keys must be a collection of keys, not the single string {keys[:80]!r}")
    distinct = list(dict.fromkeys(keys))
    for key in distinct:
        if not isinstance(key, str):
            raise TypeError(f"state keys must be strings, not {type(key).__name__}")
        if len(key) > MAX_KEY_LENGTH:
            raise ValueError(
                f"state key is {len(key)} characters long; the bot_state table holds at most "
                f"{MAX_KEY_LENGTH}: {key[:80]!r}…"
            )
    return distinct


def _expected_e_tag(key: str, value: object) -> str | None:
    """The e_tag a write must match, or None for an unconditional write (no e_tag, or ``"*"``)."""
    e_tag = value.get(_E_TAG) if isinstance(value, dict) else getattr(value, _E_TAG, None)
    if e_tag is None or e_tag == _ANY_E_TAG:
        return None
    if not isinstance(e_tag, str) or not e_tag:
        # botbuilder's storages refuse an empty e_tag too: it is a bug, not "match anything".
        raise ValueError(f"state item {key!r} has e_tag {e_tag!r}; use None or '*' to write unconditionally")
    return e_tag


def _set_e_tag(value: object, e_tag: str) -> None:
    if isinstance(value, dict):
        value[_E_TAG] = e_tag
        return
    # A str, list or slotted object has nowhere to carry an e_tag; its writes stay unconditional.
    with contextlib.suppress(AttributeError, TypeError):
        setattr(value, _E_TAG, e_tag)


# A dialog stack's own classes, written and read without jsonpickle's generic walk (``storage/state_documents.py``).
state_documents.keep_plainly(DialogState)
state_documents.keep_plainly(DialogInstance)


def _serialise(value: object) -> str:
    try:
        flat = state_documents.flatten(value)  # what jsonpickle would write, in one pass, when the state is plain
    except state_documents.NotPlain:
        flat = Pickler().flatten(value)
    if isinstance(flat, dict):
        # The e_tag lives in its own column, as in CosmosDbPartitionedStorage; a stale copy in the document
        # would come back on read next to the real one.
        flat.pop(_E_TAG, None)
    return json.dumps(flat, separators=(",", ":"))


def _restore(document: str, e_tag: str) -> Any:
    # Restoring jsonpickle data can import modules and call constructors named in the document, so it is
    # only acceptable because this table is trusted: only this class writes it, through Pickler().flatten,
    # which drops "py/…" tag keys from plain dicts, so text or card data a user sent cannot smuggle in
    # tags. Never put data from outside into bot_state directly (imports, manual edits, other tools).
    # safe=True: a "py/repr" tag is looked up as a module name, never passed to eval().
    data = json.loads(document)
    try:
        value = state_documents.restore(data)  # what jsonpickle would make of it, in one pass, when it is plain
    except state_documents.NotPlain:
        value = Unpickler(safe=True, on_missing=_log_missing_class).restore(data)
    _set_e_tag(value, e_tag)
    return value


def _log_missing_class(class_name: str) -> None:
    # jsonpickle then returns the raw dict instead of the object: after a class is renamed or moved, old
    # state comes back in the wrong shape. Say so loudly rather than fail somewhere in a dialog.
    logger.warning("bot state names class %s, which cannot be imported; restored as a plain dict", class_name)


def _transaction_on(engine: Engine, work: Callable[[Connection], T]) -> T:
    with engine.begin() as connection:
        return work(connection)
