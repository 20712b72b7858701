"""``my courses``: where the person stands on each run, read in one query however many places they hold, with a
calendar link issued for each confirmed place in one statement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, event, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from classroom.catalogue.views import load_catalogue
from classroom.download_tokens import hash_token
from classroom.enrolment import views
from classroom.enrolment.calendar_links import (
    REUSE_FOR,
    RecentLinks,
    link_hash_parameters,
    link_hash_slots,
    stored_link_of,
)
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from classroom.enrolment.views import RUN_DETAILS_KEPT, run_details_of
from storage.models import CalendarLink, Course, EnrolmentStatus
from tests.classroom.enrolment.conftest import ALEX, LYNNE, PATTI
from tests.support.enrolment import BHCC, MULTI, MULTI_RUN, ONE_DAY_RUN, TRAINER_AAD
from tests.support.statements import through_execute


@contextmanager
def statements(session_factory: async_sessionmaker[AsyncSession]) -> Iterator[list[str]]:
    engine = session_factory.kw["bind"].sync_engine
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)


async def test_every_kind_of_place_as_the_person_sees_it(service) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=Clash((2, 4), "Court dates"))
    await service.decide_clash(TRAINER_AAD, pending.id, accept=True)
    await service.enrol(PATTI, ONE_DAY_RUN)  # its only place
    await service.join_waitlist(LYNNE, ONE_DAY_RUN)
    await service.join_waitlist(ALEX, ONE_DAY_RUN)

    mine = await service.my_courses(ALEX)
    multi, one_day = sorted(mine.enrolments, key=lambda v: v.run.run_code != MULTI_RUN)
    assert multi.run.run_code == MULTI_RUN and multi.status == EnrolmentStatus.CONFIRMED
    assert multi.missed_positions == {2, 4} and [s.position for s in multi.clash_sessions] == [2, 4]
    assert multi.clash_reason == "Court dates" and multi.reviewed_by == "Zoe Rosenfield"
    assert multi.person_name == "Alex Wilber" and multi.organisation_name == BHCC and multi.organisation_confirmed
    assert multi.price_pence is not None and multi.waitlist_position is None
    assert one_day.status == EnrolmentStatus.WAITLISTED and one_day.waitlist_position == 2
    assert one_day.clash_sessions == () and one_day.reviewed_by is None
    assert set(mine.calendar_links) == {multi.id}  # a link for the confirmed place only
    assert await service.my_enrolments(ALEX, MULTI_RUN) == [multi]


async def test_two_places_cost_one_read_and_one_insert(service, session_factory) -> None:
    await service.my_courses(ALEX)  # the catalogue kept in memory is built on first use
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ALEX, ONE_DAY_RUN)
    with statements(session_factory) as seen:
        mine = await service.my_courses(ALEX)
    assert len(mine.enrolments) == 2 and len(mine.calendar_links) == 2
    enrolment_reads = [s for s in seen if "FROM enrolments" in s]
    inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT")]
    assert len(enrolment_reads) == 1 and len(inserts) == 1, seen
    assert not [s for s in seen if "person_roles" in s], seen  # no roles loaded with the person


async def test_with_the_catalogue_kept_a_view_is_one_hand_over_to_the_driver(service, monkeypatch) -> None:
    """A view (its read, and the insert of a link to issue) runs as synchronous code on a pooled connection
    (``in_transaction_on``), not one async call per statement in an ORM session: those cost more than the read."""
    await service.my_courses(ALEX)  # the catalogue kept in memory is built on first use
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ALEX, ONE_DAY_RUN)
    async_calls: list[object] = []
    execute = AsyncConnection.execute

    async def counted(self, statement, *args, **kwargs):  # type: ignore[no-untyped-def]
        async_calls.append(statement)
        return await execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(AsyncConnection, "execute", counted)
    first = await service.my_courses(ALEX)  # issues both links
    again = await service.my_courses(ALEX)  # shows them again
    assert async_calls == []
    assert len(first.enrolments) == 2 and len(first.calendar_links) == 2
    assert again == first


async def test_a_view_soon_after_runs_its_read_on_the_driver_directly(service, monkeypatch) -> None:
    """The read skips ``Connection.execute`` (``storage/direct_statements.py``), whose per-statement work cost
    about as much as SQLite's own (on PostgreSQL too, on its AUTOCOMMIT connection); what it shows is the same."""
    await service.my_courses(ALEX)  # the catalogue kept in memory is built on first use
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ALEX, ONE_DAY_RUN)
    first = await service.my_courses(ALEX)  # issues both links
    with through_execute() as executed:
        again = await service.my_courses(ALEX)  # shows them again
    assert executed == []
    assert again == first and len(again.enrolments) == 2 and len(again.calendar_links) == 2


async def test_the_catalogue_version_is_read_with_the_places(service, session_factory) -> None:
    """The catalogue kept in memory is checked by the statement that reads the places, not one of its own; a
    change to the catalogue by anyone is still seen by the next view."""
    await service.enrol(ALEX, MULTI_RUN)
    await service.my_courses(ALEX)  # the catalogue kept in memory is built on first use
    with statements(session_factory) as seen:
        [view] = (await service.my_courses(ALEX)).enrolments
    assert not [s for s in seen if "catalogue_version" in s and "FROM enrolments" not in s], seen
    assert len([s for s in seen if "FROM enrolments" in s]) == 1, seen
    async with session_factory.begin() as session:  # someone else's plain UPDATE
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Renamed by hand"))
    [renamed] = (await service.my_courses(ALEX)).enrolments
    assert view.run.course_title != "Renamed by hand" and renamed.run.course_title == "Renamed by hand"


async def test_taking_a_place_never_loads_its_run(service, session_factory) -> None:
    """The view of the new place, and the planning of its reminders, take the run's details from the catalogue kept
    in memory: its sessions are not read at all."""
    await service.my_courses(ALEX)  # the catalogue kept in memory is built on first use
    with statements(session_factory) as seen:
        view = await service.enrol(ALEX, MULTI_RUN)
    assert view.status == EnrolmentStatus.CONFIRMED and [s.position for s in view.run.sessions] == [1, 2, 3, 4]
    assert not [s for s in seen if "SELECT run_sessions." in s or "FROM learning_outcomes" in s], seen


async def test_a_view_soon_after_shows_the_same_links_and_writes_nothing(service, session_factory, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ALEX, ONE_DAY_RUN)
    first = await service.my_courses(ALEX)
    clock.advance(timedelta(hours=1))
    with statements(session_factory) as seen:
        again = await service.my_courses(ALEX)
    assert again.calendar_links == first.calendar_links and len(again.calendar_links) == 2
    assert not [s for s in seen if s.lstrip().upper().startswith("INSERT")], seen
    for link in again.calendar_links.values():
        assert (await service.calendar_file(link.token)).content  # still a working link
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(CalendarLink)) == 2


async def test_a_view_soon_after_is_one_statement(service, session_factory, clock) -> None:
    """Whether the links shown lately are still stored is read with the places, not in a statement of its own."""
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ALEX, ONE_DAY_RUN)
    first = await service.my_courses(ALEX)
    clock.advance(timedelta(hours=1))
    with statements(session_factory) as seen:
        again = await service.my_courses(ALEX)
    assert again.calendar_links == first.calendar_links
    assert len(seen) == 1 and "FROM enrolments" in seen[0], seen


async def test_another_processs_link_for_the_place_does_not_stop_this_ones_being_shown_again(
    service, session_factory, clock
) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    first = await service.my_courses(ALEX)
    other = await EnrolmentService(session_factory, clock, EnrolmentPolicy()).my_courses(ALEX)  # another replica
    assert other.calendar_links != first.calendar_links  # it holds no token of ours, so it issues its own
    clock.advance(timedelta(hours=1))
    assert (await service.my_courses(ALEX)).calendar_links == first.calendar_links


def test_recent_links_forget_the_oldest_and_whose_they_were(clock) -> None:
    recent, now, ttl = RecentLinks(capacity=2), clock.now(), timedelta(days=30)
    link = ("t", now + ttl)
    recent.keep({1: ("t1", link[1]), 2: ("t2", link[1])}, "alex")
    recent.keep({3: ("t3", link[1])}, "patti")  # the oldest, Alex's place 1, is forgotten
    assert sorted(recent.reusable_hashes("alex", now, ttl).values()) == [2]
    assert sorted(recent.reusable_hashes("patti", now, ttl).values()) == [3]
    recent.keep({4: ("t4", link[1]), 5: ("t5", link[1])}, "lynne")
    assert recent.reusable_hashes("alex", now, ttl) == {} and recent.reusable_hashes("patti", now, ttl) == {}
    assert recent.reusable_hashes("alex", now + REUSE_FOR, ttl) == {}


async def test_a_link_past_its_reuse_or_no_longer_stored_is_issued_anew(service, session_factory, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    first = await service.my_courses(ALEX)
    clock.advance(REUSE_FOR)
    later = await service.my_courses(ALEX)
    [(enrolment_id, link)] = later.calendar_links.items()
    assert link.token != first.calendar_links[enrolment_id].token
    assert link.expires_at == clock.now() + service.policy.calendar_link_ttl
    async with session_factory.begin() as session:  # as erasing the person's data does
        await session.execute(delete(CalendarLink))
    anew = await service.my_courses(ALEX)
    assert anew.calendar_links[enrolment_id].token != link.token
    assert (await service.calendar_file(anew.calendar_links[enrolment_id].token)).content


async def test_on_postgresql_my_courses_costs_no_begin_or_commit(service, session_factory) -> None:
    """Reads and at most one insert: on PostgreSQL each statement commits on its own (two round trips fewer)."""
    await service.enrol(ALEX, MULTI_RUN)
    engine = session_factory.kw["bind"].sync_engine
    levels: list[object] = []

    def on_begin(connection: Any) -> None:
        levels.append(connection.get_execution_options().get("isolation_level"))

    event.listen(engine, "begin", on_begin)
    try:
        first = await service.my_courses(ALEX)  # issues the link
        again = await service.my_courses(ALEX)  # shows it again
    finally:
        event.remove(engine, "begin", on_begin)
    assert again.calendar_links == first.calendar_links and len(first.calendar_links) == 1
    expected = "AUTOCOMMIT" if engine.dialect.name == "postgresql" else None
    assert levels == [expected] * 2


async def test_enrolments_for_a_code_are_one_statement_checked_against_the_catalogue(service, session_factory) -> None:
    """What ``withdraw CODE`` reads first (``my_enrolments`` for a code): the catalogue version rides on the read of
    the places, as in ``my courses``; a course code names its runs, a run code its run; a change by anyone is seen."""
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ALEX, ONE_DAY_RUN)
    with statements(session_factory) as seen:
        [multi] = await service.my_enrolments(ALEX, MULTI_RUN.lower())
    assert multi.run.run_code == MULTI_RUN and len(seen) == 1 and "catalogue_version" in seen[0], seen
    assert [v.run.run_code for v in await service.my_enrolments(ALEX, MULTI)] == [MULTI_RUN]
    assert len(await service.my_enrolments(ALEX)) == 2 and await service.my_enrolments(ALEX, "NOPE") == []
    async with session_factory.begin() as session:  # someone else's plain UPDATE
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Renamed by hand"))
    [renamed] = await service.my_enrolments(ALEX, MULTI_RUN)
    assert renamed.run.course_title == "Renamed by hand"


async def test_the_links_shown_lately_are_bound_as_plain_parameters(service, session_factory, clock) -> None:
    """The read that checks the links shown lately takes their hashes in parameters of its own, not a list that
    SQLAlchemy expands into the statement's text on every execution (about a third of the read's cost)."""
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ALEX, ONE_DAY_RUN)
    first = await service.my_courses(ALEX)
    clock.advance(timedelta(hours=1))
    engine = session_factory.kw["bind"].sync_engine
    expanded: list[object] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, *_: Any) -> None:
        if "FROM enrolments" in statement:
            expanded.append(context.compiled.post_compile_params)

    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        again = await service.my_courses(ALEX)
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
    assert again.calendar_links == first.calendar_links and len(again.calendar_links) == 2
    assert expanded == [frozenset()]


async def test_link_hashes_fill_a_power_of_two_of_parameters_the_rest_null(service, session_factory) -> None:
    assert [link_hash_slots(count) for count in range(6)] == [1, 1, 2, 4, 4, 8]
    assert link_hash_parameters(["a", "b", "c"]) == {"link_hash_0": "a", "link_hash_1": "b", "link_hash_2": "c"} | {
        "link_hash_3": None
    }
    assert link_hash_parameters([]) == {"link_hash_0": None}
    await service.enrol(ALEX, MULTI_RUN)
    [(enrolment_id, link)] = (await service.my_courses(ALEX)).calendar_links.items()
    stored = select(stored_link_of(literal(enrolment_id), 4))
    async with session_factory() as session:
        now = {"links_now": link.expires_at - timedelta(days=1)}
        others = ["0" * 64, "1" * 64]  # three hashes in four slots, the last NULL
        found = await session.scalar(stored, {**link_hash_parameters([*others, hash_token(link.token)]), **now})
        assert found == hash_token(link.token)
        assert await session.scalar(stored, {**link_hash_parameters([*others, "2" * 64]), **now}) is None


async def test_a_runs_details_are_made_once_per_copy_of_the_catalogue(service, session_factory) -> None:
    """A copy of the catalogue never changes, so its runs' details are made once and shared; another copy (a new
    version) gets its own, and the kept details never outgrow their bound."""
    async with session_factory() as session:
        catalogue, again = await load_catalogue(session, 1), await load_catalogue(session, 1)
    course, run = catalogue.runs_by_code[MULTI_RUN]
    details = run_details_of(course, run)
    assert run_details_of(course, run) is details
    other = run_details_of(*again.runs_by_code[MULTI_RUN])
    assert other == details and other is not details
    for c, r in [*catalogue.runs_by_id.values()] * RUN_DETAILS_KEPT:
        run_details_of(replace(c), replace(r))  # new objects every time
    assert len(views._kept_details) <= RUN_DETAILS_KEPT
