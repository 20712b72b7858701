"""What a course card reads fresh on every turn (places left, the viewer's band, and whether the catalogue kept in
memory is current) comes in one statement: checking the catalogue's version rides on the read of the counts."""

from __future__ import annotations

from datetime import date

import greenlet
import pytest
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from classroom.catalogue import queries
from classroom.catalogue.queries import ViewerBand
from classroom.catalogue.service import CatalogueService
from classroom.catalogue.snapshot import catalogue_version
from classroom.enrolment.organisations import choose_organisation
from classroom.enrolment.service import EnrolmentService
from storage.models import CourseRun, Organisation
from tests.support.enrolment import DOWNLAND, MULTI, MULTI_RUN, add_person, load_world, world
from tests.support.statements import statements, through_execute

FIRST_DAY = date(2026, 12, 14)


async def test_a_course_and_the_course_list_each_read_one_statement(engine, session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber", DOWNLAND)
    catalogue = CatalogueService(session_factory, clock)
    await catalogue.course(MULTI)  # the first request builds the copy kept in memory

    with statements(engine) as course_reads:
        overview = await catalogue.course(MULTI, "aad-alex")
    with statements(engine) as list_reads:
        listing = await catalogue.courses()
    with statements(engine) as search_reads:
        await catalogue.search("permanence")

    assert (len(course_reads), len(list_reads), len(search_reads)) == (1, 1, 1)
    assert overview.viewer == ViewerBand(DOWNLAND, 2) and overview.viewer_settled
    assert [o.upcoming_runs[0].places_left for o in listing] == [3, 1]
    assert catalogue.snapshot.builds == 1


async def test_browsing_opens_no_orm_session_once_the_catalogue_is_kept(session_factory, clock) -> None:
    """The reads of the busy paths are Core rows on a plain connection (``classroom.transactions.in_read``): an ORM
    session's transaction and bookkeeping cost more than their one statement. Only reading the catalogue whole
    (a rebuild) uses the ORM."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber", DOWNLAND)
    catalogue = CatalogueService(session_factory, clock)
    sessions: list[Session] = []

    def on_begin(session: Session, *_: object) -> None:
        sessions.append(session)

    event.listen(Session, "after_begin", on_begin)
    try:
        await catalogue.course(MULTI)  # the first request builds the copy kept in memory: through the ORM
        built = len(sessions)
        overview = await catalogue.course(MULTI, "aad-alex")
        listing = await catalogue.courses()
        found = await catalogue.search("permanence")
        codes = await catalogue.codes()
    finally:
        event.remove(Session, "after_begin", on_begin)
    assert built == 1 and len(sessions) == 1
    assert overview.viewer == ViewerBand(DOWNLAND, 2) and [o.upcoming_runs[0].places_left for o in listing] == [3, 1]
    assert MULTI in [o.course.code for o in found] and MULTI in codes


async def test_places_left_are_counted_on_every_request(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber")
    catalogue = CatalogueService(session_factory, clock)
    assert (await catalogue.course(MULTI)).upcoming_runs[0].places_left == 3
    await EnrolmentService(session_factory, clock).enrol("aad-alex", MULTI_RUN)
    assert (await catalogue.course(MULTI)).upcoming_runs[0].places_left == 2
    assert [o.upcoming_runs[0].places_left for o in await catalogue.courses()][0] == 2


async def test_places_are_counted_however_many_runs_are_shown(engine, session_factory, clock) -> None:
    """Run ids are bound one by one up to ``RUNS_BOUND_ONE_BY_ONE`` (a statement for each number of runs), as one
    list beyond it: the counts, the version and the viewer are the same either way, and with no run at all."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber", DOWNLAND)
    await EnrolmentService(session_factory, clock).enrol("aad-alex", MULTI_RUN)
    async with session_factory() as session:
        run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == MULTI_RUN))
        version = await catalogue_version(session)
    assert run_id is not None
    unknown = [run_id + 1000 + n for n in range(queries.RUNS_BOUND_ONE_BY_ONE + 5)]
    connection = await engine.connect()
    try:
        for shown in ([run_id], [*unknown[:3], run_id], [*unknown, run_id], unknown[:2], []):
            read_version, live = await queries._live(connection, shown, "aad-alex")
            assert read_version == version and live.viewer == ViewerBand(DOWNLAND, 2)
            assert live.held == ({run_id: 1} if run_id in shown else {})
    finally:
        await connection.close()


@pytest.mark.parametrize(
    ("organisation", "pending", "viewer", "settled"),
    [
        (DOWNLAND, False, ViewerBand(DOWNLAND, 2), True),  # confirmed
        (DOWNLAND, True, ViewerBand(DOWNLAND, 2, confirmed=False), False),  # their own word, waiting
        (None, False, None, False),  # we know them, not where they work: evidence may settle it
    ],
)
async def test_what_the_card_knows_of_the_viewer(
    session_factory, clock, organisation, pending, viewer, settled
) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber", None if pending else organisation)
    if pending:
        async with session_factory.begin() as session:
            chosen = await session.scalar(select(Organisation.id).where(Organisation.name == organisation))
            await choose_organisation(session, "aad-alex", chosen, clock.now())
    overview = await CatalogueService(session_factory, clock).course(MULTI, "aad-alex")
    assert (overview.viewer, overview.viewer_settled) == (viewer, settled)


async def test_someone_we_have_not_met_and_a_group_chat_see_every_band(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    catalogue = CatalogueService(session_factory, clock)
    for viewer in ("aad-stranger", None):
        overview = await catalogue.course(MULTI, viewer)
        assert (overview.viewer, overview.viewer_settled) == (None, True)


async def test_on_postgresql_browsing_costs_no_begin_or_commit(engine, session_factory, clock) -> None:
    """Look-ups only read, so on PostgreSQL their statement commits on its own (two round trips fewer a turn);
    SQLite keeps its transaction, which is what gives its statements one snapshot."""
    await load_world(session_factory, world(FIRST_DAY))
    catalogue = CatalogueService(session_factory, clock)
    await catalogue.course(MULTI)
    levels: list[object] = []

    def on_begin(connection: Connection) -> None:
        levels.append(connection.get_execution_options().get("isolation_level"))

    event.listen(engine.sync_engine, "begin", on_begin)
    try:
        await catalogue.course(MULTI)
        await catalogue.courses()
        await catalogue.search("permanence")
        await catalogue.codes()
    finally:
        event.remove(engine.sync_engine, "begin", on_begin)
    expected = "AUTOCOMMIT" if engine.dialect.name == "postgresql" else None
    assert levels == [expected] * 4


async def test_a_read_of_the_catalogue_kept_hands_over_to_the_driver_once(session_factory, clock) -> None:
    """With the copy kept current, a course, the list and a search each run whole in one greenlet (checking the
    connection out, the statement, handing it back: ``classroom.transactions.in_read_on``), where an async read
    spawned one per call (three)."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber", DOWNLAND)
    catalogue = CatalogueService(session_factory, clock)
    await catalogue.course(MULTI)  # the first request builds the copy kept in memory
    entered: list[greenlet.greenlet] = []

    def on_switch(event_name: str, args: tuple[greenlet.greenlet, greenlet.greenlet]) -> None:
        target = args[1]
        if event_name in ("switch", "throw") and target.parent is not None and target not in entered:
            entered.append(target)

    spawned = []
    reads = (lambda: catalogue.course(MULTI, "aad-alex"), catalogue.courses, lambda: catalogue.search("permanence"))
    for read in reads:
        previous = greenlet.settrace(on_switch)
        try:
            found = await read()
        finally:
            greenlet.settrace(previous)
        spawned.append(len(entered))
        entered.clear()
        assert found
    assert spawned == [1, 1, 1]


async def test_a_read_of_the_catalogue_kept_skips_sqlalchemys_execute(session_factory, clock) -> None:
    """Its one statement runs as a ``DirectStatement`` (``storage/direct_statements.py``): on the driver directly,
    on either database, where ``Connection.execute``'s own work cost more than the statement; what it reads is the
    same."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber", DOWNLAND)
    catalogue = CatalogueService(session_factory, clock)
    await catalogue.course(MULTI)  # the first request builds the copy kept in memory
    with through_execute() as executed:
        overview = await catalogue.course(MULTI, "aad-alex")
        listing = await catalogue.courses()
    assert executed == []
    assert overview.viewer == ViewerBand(DOWNLAND, 2) and overview.viewer_settled
    assert [o.upcoming_runs[0].places_left for o in listing] == [3, 1]
