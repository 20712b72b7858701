"""Statements run by sqlite3 directly give what ``connection.execute`` gives: rows, row counts, stored values,
errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from sqlalchemy import Connection, Float, Numeric, bindparam, event, func, insert, literal, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from classroom.errors import TryAgain
from classroom.transactions import in_transaction_on, is_transient
from storage.direct_statements import DirectStatement
from storage.models import ActivityReceipt, ConversationRecord, Person, PersonRole
from storage.sqlite_on_loop import loop_thread_sqlite
from storage.upsert import direct_upsert
from tests.support.statements import through_execute

T = TypeVar("T")
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

AT = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC)
ON_THE_SECOND = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)  # no microseconds: the stored text must still match
_CONVERSATIONS = ConversationRecord.__table__.c
_UPDATED = [
    "conversation_type",
    "service_url",
    "reference",
    "tenant_id",
    "user_aad_object_id",
    "installed",
    "updated_at",
]
_READ_CONVERSATION = select(
    _CONVERSATIONS.conversation_id,
    _CONVERSATIONS.reference,
    _CONVERSATIONS.installed,
    _CONVERSATIONS.tenant_id,
    _CONVERSATIONS.created_at,
    _CONVERSATIONS.updated_at,
).where(_CONVERSATIONS.conversation_id == bindparam("conversation_id"))
_CLAIM = (
    insert(ActivityReceipt.__table__)  # type: ignore[arg-type]
    .values(key=bindparam("key"), expires_at=bindparam("expires_at"))
    .returning(ActivityReceipt.__table__.c.key, ActivityReceipt.__table__.c.expires_at)
)
_UNINSTALL = (
    update(ConversationRecord.__table__)  # type: ignore[arg-type]
    .where(_CONVERSATIONS.installed.is_(True), _CONVERSATIONS.conversation_id.like(bindparam("pattern")))
    .values(installed=False, updated_at=bindparam("at"))  # given: ``onupdate`` would be a Python-side default
)
# Written with mapped classes' attributes, and a literal parameter the statement fixes (the separator).
_ROLES = (
    select(func.aggregate_strings(PersonRole.role, ",")).join(Person).where(Person.aad_object_id == bindparam("aad"))
)
_NAMES_AND_ROLES = (
    select(Person.__table__.c.name, PersonRole.__table__.c.role)
    .select_from(Person.__table__.outerjoin(PersonRole.__table__))
    .where(Person.__table__.c.aad_object_id.in_(bindparam("people", expanding=True)))
    .order_by(Person.__table__.c.name)
)


def _conversation(conversation_id: str, at: datetime, *, tenant: str | None = "tenant") -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "conversation_type": "personal",
        "service_url": "https://smba.example/emea/",
        "reference": {"conversation": {"id": conversation_id}, "bot": {"name": "Bot ü"}, "n": [1, 2.5, None, True]},
        "tenant_id": tenant,
        "user_aad_object_id": "aad-1",
        "installed": True,
        "created_at": at,
        "updated_at": at,
    }


async def _both_ways(
    session_factory: async_sessionmaker[AsyncSession], work: Callable[[Connection, Callable[..., Any]], T]
) -> tuple[T, T]:
    """``work(connection, run)`` once with ``run`` a DirectStatement's, once with ``connection.execute`` (as a
    DirectResult), each in a transaction rolled back after: the two results."""

    class _RolledBack(Exception):
        def __init__(self, result: Any) -> None:
            self.result = result

    def direct(connection: Connection, statement: DirectStatement, parameters: dict[str, Any]) -> Any:
        return statement.execute(connection, parameters)

    def through_execute(connection: Connection, statement: DirectStatement, parameters: dict[str, Any]) -> Any:
        return statement._through_sqlalchemy(connection, parameters)

    results = []
    for run in (direct, through_execute):

        def unit(connection: Connection, run: Callable[..., Any] = run) -> None:
            raise _RolledBack(work(connection, run))

        with pytest.raises(_RolledBack) as rolled_back:
            await in_transaction_on(session_factory, unit)
        results.append(rolled_back.value.result)
    return results[0], results[1]


async def test_writes_and_reads_give_what_execute_gives(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Every type the turns' statements carry (JSON, booleans, UTC times with and without microseconds, NULL), in and
    out: an upsert inserting then updating, an INSERT ... RETURNING, an UPDATE's row count, a join with a NULL."""
    upsert = direct_upsert  # the conversations' upsert, as installs run it

    def work(connection: Connection, run: Callable[..., Any]) -> list[Any]:
        statement = upsert(connection.dialect.name, ConversationRecord.__table__, ["conversation_id"], _UPDATED)  # type: ignore[arg-type]
        read = DirectStatement(_READ_CONVERSATION)
        outcomes: list[Any] = []
        for conversation_id, at, tenant in (("a:1", AT, "tenant"), ("a:1", ON_THE_SECOND, None), ("a:2", AT, None)):
            outcomes.append(run(connection, statement, _conversation(conversation_id, at, tenant=tenant)).rowcount)
        for conversation_id in ("a:1", "a:2", "a:none"):
            outcomes.append(run(connection, read, {"conversation_id": conversation_id}))
        outcomes.append(run(connection, DirectStatement(_CLAIM), {"key": "k1", "expires_at": ON_THE_SECOND}))
        textual = text("SELECT key FROM activity_receipts WHERE key = :key")  # no column types to convert by
        outcomes.append(run(connection, DirectStatement(textual), {"key": "k1"}))
        outcomes.append(run(connection, DirectStatement(_UNINSTALL), {"pattern": "a:%", "at": AT}).rowcount)
        outcomes.append(run(connection, DirectStatement(_UNINSTALL), {"pattern": "a:%", "at": AT}).rowcount)
        people = Person.__table__
        person = connection.execute(insert(people).values(aad_object_id="aad-1", name="Adele").returning(people.c.id))
        person = person.scalar_one()
        for role in ("trainer", "admin"):
            connection.execute(insert(PersonRole.__table__).values(person_id=person, role=role))
        outcomes.append(run(connection, DirectStatement(_ROLES), {"aad": "aad-1"}).rows)
        outcomes.append(connection.execute(_READ_CONVERSATION, {"conversation_id": "a:1"}).all())  # as stored
        return outcomes

    direct, through_execute = await _both_ways(session_factory, work)
    assert direct == through_execute
    reference = {"conversation": {"id": "a:1"}, "bot": {"name": "Bot ü"}, "n": [1, 2.5, None, True]}
    assert direct[3].rows == [("a:1", reference, True, None, AT, ON_THE_SECOND)]
    assert direct[5].rows == []
    assert direct[6].rows == [("k1", ON_THE_SECOND)]
    assert direct[7].rows == [("k1",)]
    assert (direct[8], direct[9]) == (2, 0)
    assert sorted(direct[10][0][0].split(",")) == ["admin", "trainer"]


async def test_numbers_read_as_execute_reads_them(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """A Numeric (and a Float) column: its result processor is chosen as ``execute`` chooses it (on PostgreSQL by the
    type the server describes; worked out as SQLite's, asyncpg's Numeric failed on the missing type code)."""
    amounts = select(literal(Decimal("12.345"), Numeric(10, 3)).label("amount"), literal(2.5, Float()).label("ratio"))

    def work(connection: Connection, run: Callable[..., Any]) -> Any:
        return run(connection, DirectStatement(amounts), {}).rows

    direct, through_execute = await _both_ways(session_factory, work)
    assert direct == through_execute == [(Decimal("12.345"), 2.5)]


async def test_a_transaction_execute_would_refuse_is_refused_alike(engine: AsyncEngine) -> None:
    """A savepoint whose RELEASE failed leaves its transaction inactive: ``execute`` refuses the next statement
    (PendingRollbackError) without sending it, and so does the shortcut."""
    read = DirectStatement(select(ActivityReceipt.__table__.c.key))

    def work(connection: Connection, way: str) -> str | None:
        connection.begin()
        nested = connection.begin_nested()
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {nested._savepoint}")  # so the nested one's RELEASE fails
        with pytest.raises(DBAPIError):
            nested.commit()
        try:
            read.execute(connection, {}) if way == "direct" else read._through_sqlalchemy(connection, {})
        except Exception as error:  # noqa: BLE001 - the outcome compared
            return type(error).__name__
        finally:
            connection.rollback()
        return None

    outcomes = []
    for way in ("direct", "execute"):
        async with engine.connect() as connection:
            outcomes.append(await connection.run_sync(work, way))
    assert outcomes == ["PendingRollbackError", "PendingRollbackError"]


async def test_statements_it_does_not_cover_run_through_execute(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """An expanding IN (...) and an INSERT leaving Python-side defaults (``created_at``) to SQLAlchemy."""

    def work(connection: Connection, run: Callable[..., Any]) -> list[Any]:
        people = Person.__table__
        insert_person = DirectStatement(insert(people))  # type: ignore[arg-type]
        for n, name in ((1, "Adele"), (2, "Megan")):
            run(connection, insert_person, {"aad_object_id": f"aad-{n}", "name": name})
        found = run(connection, DirectStatement(_NAMES_AND_ROLES), {"people": ["aad-1", "aad-2", "aad-3"]})
        return [found.rows, connection.execute(select(people.c.created_at.is_not(None))).scalars().all()]

    direct, through_execute = await _both_ways(session_factory, work)
    assert direct == through_execute == [[("Adele", None), ("Megan", None)], [True, True]]


async def test_covered_statements_skip_sqlalchemys_execution(
    session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The point of it: on the bot's SQLite connection, and on PostgreSQL through asyncpg, a covered statement never
    reaches ``Connection.execute``; an INSERT into a table with a generated key too (on PostgreSQL, without the
    RETURNING of the key ``execute`` adds)."""

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("went through Connection.execute")

    person = {"aad_object_id": "aad-1", "name": "Adele", "created_at": AT, "updated_at": AT}  # no default left

    def work(connection: Connection) -> Any:
        if connection.dialect.name == "sqlite":
            assert loop_thread_sqlite(connection) is not None
        monkeypatch.setattr(Connection, "execute", refused)
        try:
            claimed = DirectStatement(_CLAIM).execute(connection, {"key": "k1", "expires_at": AT})
            read = DirectStatement(select(ActivityReceipt.__table__.c.expires_at)).execute(connection, {})
            added = DirectStatement(insert(Person.__table__)).execute(connection, person)  # type: ignore[arg-type]
            roles = DirectStatement(_ROLES).execute(connection, {"aad": "aad-1"})
        finally:
            monkeypatch.undo()
        return claimed, read, added, roles

    claimed, read, added, roles = await in_transaction_on(session_factory, work)
    assert claimed.rows == [("k1", AT)] and read.rows == [(AT,)]
    assert added == ([], 1) and roles.rows == [(None,)]


async def test_a_duplicate_key_is_an_integrity_error(session_factory: async_sessionmaker[AsyncSession]) -> None:
    claim = DirectStatement(_CLAIM)
    await in_transaction_on(session_factory, lambda c: claim.execute(c, {"key": "k1", "expires_at": AT}))
    with pytest.raises(IntegrityError):
        await in_transaction_on(session_factory, lambda c: claim.execute(c, {"key": "k1", "expires_at": AT}))


async def test_statement_listeners_still_see_every_statement(engine: AsyncEngine) -> None:
    """Tests that count statements (and anything else listening) see these too: with a listener, ``execute`` runs."""
    from storage.engine import create_session_factory

    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        await in_transaction_on(
            create_session_factory(engine),
            lambda connection: DirectStatement(_CLAIM).execute(connection, {"key": "k1", "expires_at": AT}),
        )
        async with engine.execution_options(isolation_level="SERIALIZABLE").connect() as connection:  # an option engine
            read = DirectStatement(_READ_CONVERSATION)
            await connection.run_sync(lambda c: read.execute(c, {"conversation_id": "x"}))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)
    assert [statement for statement in seen if "activity_receipts" in statement]
    assert [statement for statement in seen if "FROM conversations" in statement]


async def test_a_missing_parameter_is_refused_as_execute_refuses_it(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """... and a value its type refuses, wrapped as ``execute`` wraps them."""
    claim = DirectStatement(_CLAIM)
    with pytest.raises(StatementError, match="A value is required for bind parameter 'expires_at'"):
        await in_transaction_on(session_factory, lambda c: claim.execute(c, {"key": "k1"}))
    with pytest.raises(StatementError, match="naive datetime"):
        await in_transaction_on(
            session_factory, lambda c: claim.execute(c, {"key": "k1", "expires_at": datetime(2026, 1, 1)})
        )


@sqlite_only
async def test_driver_errors_are_sqlalchemys_and_a_busy_database_is_retried(
    session_factory: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    """sqlite3's errors come wrapped as ``execute`` wraps them: a duplicate key is an IntegrityError, and a database
    locked by another process is an OperationalError that ``classroom.transactions`` knows to retry."""
    claim = DirectStatement(_CLAIM)
    await in_transaction_on(session_factory, lambda c: claim.execute(c, {"key": "k1", "expires_at": AT}))
    with pytest.raises(IntegrityError):
        await in_transaction_on(session_factory, lambda c: claim.execute(c, {"key": "k1", "expires_at": AT}))

    other = sqlite3.connect(db_url.removeprefix("sqlite+aiosqlite:///"))
    other.execute("BEGIN IMMEDIATE")  # another process writing
    try:

        def claim_quickly(connection: Connection) -> Any:
            driver = loop_thread_sqlite(connection)
            assert driver is not None
            driver.execute("PRAGMA busy_timeout = 1")
            try:
                return claim.execute(connection, {"key": "k2", "expires_at": AT})
            finally:
                driver.execute("PRAGMA busy_timeout = 5000")

        with pytest.raises(TryAgain) as busy:
            await in_transaction_on(session_factory, claim_quickly, attempts=1)
    finally:
        other.rollback()
        other.close()
    assert isinstance(busy.value.__cause__, OperationalError) and is_transient(busy.value.__cause__)


@sqlite_only
async def test_dialect_listeners_still_see_every_statement(engine: AsyncEngine) -> None:
    """A listener on the dialect (``do_execute``) turns the shortcut off as the engine's and connection's do."""
    from storage.engine import create_session_factory

    seen: list[str] = []

    def on_execute(_cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine.dialect, "do_execute", on_execute)
    try:
        await in_transaction_on(
            create_session_factory(engine),
            lambda connection: DirectStatement(_CLAIM).execute(connection, {"key": "k1", "expires_at": AT}),
        )
    finally:
        event.remove(engine.sync_engine.dialect, "do_execute", on_execute)
    assert [statement for statement in seen if "activity_receipts" in statement]


@sqlite_only
async def test_compiled_forms_go_with_their_engine(db_url: str) -> None:
    """The compiled forms' processors hold the engine's dialect: kept anywhere but on the dialect, every engine
    made and disposed (tests, the CLI) would stay in memory."""
    import gc
    import weakref

    from storage.engine import create_engine, create_session_factory

    statement = DirectStatement(_CLAIM)
    engine = create_engine(db_url)
    await in_transaction_on(
        create_session_factory(engine),
        lambda connection: statement.execute(connection, {"key": "k1", "expires_at": AT}),
    )
    dialect = weakref.ref(engine.sync_engine.dialect)
    await engine.dispose()
    del engine
    gc.collect()
    assert dialect() is None


async def test_named_rows_are_what_execute_gives_by_name(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Built ``named``, a read's and an UPDATE ... RETURNING's rows have ``Row``'s keys and values, by attribute."""
    renamed = (
        update(ConversationRecord.__table__)  # type: ignore[arg-type]
        .where(_CONVERSATIONS.conversation_id == bindparam("which"))
        .values(tenant_id=bindparam("tenant"), updated_at=bindparam("at"))
        .returning(_CONVERSATIONS.conversation_id, _CONVERSATIONS.tenant_id.label("tenant"), _CONVERSATIONS.updated_at)
    )

    def work(connection: Connection, run: Callable[..., Any]) -> list[Any]:
        connection.execute(insert(ConversationRecord.__table__), _conversation("a:1", AT))  # type: ignore[arg-type]
        read = run(connection, DirectStatement(_READ_CONVERSATION, named=True), {"conversation_id": "a:1"}).rows
        as_execute = connection.execute(_READ_CONVERSATION, {"conversation_id": "a:1"}).one()
        changed = run(connection, DirectStatement(renamed, named=True), {"which": "a:1", "tenant": "t2", "at": AT})
        assert read[0]._asdict() == dict(as_execute._mapping)
        return [read, changed.rows, (changed.rows[0].tenant, changed.rows[0].updated_at)]

    direct, through_execute = await _both_ways(session_factory, work)
    assert direct == through_execute
    assert direct[2] == ("t2", AT) and direct[0][0].installed is True


def test_a_named_statement_whose_columns_cannot_be_fields_says_so() -> None:
    """Caught where the statement is built (at import, for the module constants), with its columns named."""
    unlabelled = select(func.count().label("from"))
    with pytest.raises(ValueError, match="label the columns of a named DirectStatement"):
        DirectStatement(unlabelled, named=True)


postgresql_only = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@postgresql_only
async def test_on_postgresql_a_connection_the_server_dropped_is_invalidated_as_execute_invalidates_it(
    db_url: str,
) -> None:
    """The error is the dialect's disconnect, wrapped as ``execute`` wraps it, and the pool replaces the connection:
    the next statement runs on a new one."""
    from sqlalchemy.exc import DBAPIError

    from storage.engine import create_engine, create_session_factory

    # No ping when taken from the pool: the statement finds the connection gone.
    engine = create_engine(db_url, pool_size=1, max_overflow=0, ping_after_idle=3600.0)
    killer = create_engine(db_url, pool_size=1, max_overflow=0)
    backend = DirectStatement(select(func.pg_backend_pid().label("pid")))
    factory = create_session_factory(engine)
    try:
        first = (await in_transaction_on(factory, lambda c: backend.execute(c, {}))).rows[0][0]
        async with killer.connect() as connection:
            await connection.execute(select(func.pg_terminate_backend(first)))
        with pytest.raises(DBAPIError) as lost:
            await in_transaction_on(factory, lambda c: backend.execute(c, {}), attempts=1)
        second = (await in_transaction_on(factory, lambda c: backend.execute(c, {}))).rows[0][0]
    finally:
        await engine.dispose()
        await killer.dispose()
    assert lost.value.connection_invalidated and second != first


@postgresql_only
async def test_on_postgresql_an_autocommit_read_runs_on_the_driver_and_sends_no_begin(db_url: str) -> None:
    """On an AUTOCOMMIT connection (``classroom.transactions.read_sessions``) the statement skips ``execute`` too, and
    commits on its own, as through ``execute``: no transaction is left open on the server."""
    from storage.engine import create_engine

    engine = create_engine(db_url).execution_options(isolation_level="AUTOCOMMIT")
    read = DirectStatement(select(func.now().label("now")))
    try:
        async with engine.connect() as connection:
            with through_execute() as executed:  # the option engine's own listener (the level) sees no statement
                rows = await connection.run_sync(lambda c: read.execute(c, {}).rows)
            assert executed == []
            raw = await connection.get_raw_connection()
            assert raw.driver_connection is not None
            assert not raw.driver_connection.is_in_transaction()  # committed already: no BEGIN was sent
    finally:
        await engine.dispose()
    assert len(rows) == 1
