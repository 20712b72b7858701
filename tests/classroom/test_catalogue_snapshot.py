"""Each process keeps the catalogue in memory (``classroom/catalogue/snapshot.py``) and reads it again only when
the database's catalogue version changed: any change by anyone (an import, a reschedule, a plain UPDATE from
elsewhere) is seen by the next request, on both databases; enrolments, which change only places left, are
counted live and never make it read the catalogue again."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select, update

from classroom.catalogue.importer import import_catalogue
from classroom.catalogue.service import CatalogueService
from classroom.catalogue.snapshot import CatalogueSnapshot
from classroom.enrolment.service import EnrolmentService
from storage.models import CatalogueVersion, Course, LearningOutcome, RunTrainer
from tests.support.enrolment import MULTI, MULTI_RUN, add_person, load_world, world

FIRST_DAY = date(2026, 12, 14)


async def _version(session_factory) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int(await session.scalar(select(CatalogueVersion.version)) or 0)


async def test_an_unchanged_catalogue_is_read_once_and_enrolments_only_change_places_left(
    session_factory, clock
) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber")
    catalogue = CatalogueService(session_factory, clock)
    before = await catalogue.course(MULTI)
    version = await _version(session_factory)

    await EnrolmentService(session_factory, clock).enrol("aad-alex", MULTI_RUN)  # locks the run: no real change
    after = await catalogue.course(MULTI)
    await catalogue.courses()
    await catalogue.search("permanence")

    assert catalogue.snapshot.builds == 1
    assert await _version(session_factory) == version
    assert after.upcoming_runs[0].places_left == before.upcoming_runs[0].places_left - 1


async def test_every_kind_of_change_is_seen_by_the_next_request(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    catalogue = CatalogueService(session_factory, clock)
    await catalogue.course(MULTI)

    async with session_factory.begin() as session:  # someone else's plain UPDATE
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Renamed by hand"))
    assert (await catalogue.course(MULTI)).course.title == "Renamed by hand"

    async with session_factory.begin() as session:  # a child row deleted
        await session.execute(delete(RunTrainer))
    assert (await catalogue.course(MULTI)).upcoming_runs[0].run.trainer_names == ()

    async with session_factory.begin() as session:  # a child row added
        course_id = await session.scalar(select(Course.id).where(Course.code == MULTI))
        session.add(LearningOutcome(course_id=course_id, position=99, text="Spot the zebra crossing"))
    assert "Spot the zebra crossing" in (await catalogue.course(MULTI)).course.learning_outcomes
    assert [o.course.code for o in await catalogue.search("zebra")] == [MULTI]

    async with session_factory.begin() as session:  # an import moving every session a week on
        await import_catalogue(session, world(FIRST_DAY + timedelta(weeks=1)))
    moved = (await catalogue.course(MULTI)).upcoming_runs[0].first_session.starts_at
    assert moved.date() == FIRST_DAY + timedelta(weeks=1)
    assert catalogue.snapshot.builds == 5


async def test_two_processes_each_see_the_others_change(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    first, second = CatalogueService(session_factory, clock), CatalogueService(session_factory, clock)
    await first.course(MULTI)
    await second.course(MULTI)
    async with session_factory.begin() as session:
        await session.execute(update(Course).where(Course.code == MULTI).values(summary="New words"))
    assert (await first.course(MULTI)).course.summary == "New words"
    assert (await second.course(MULTI)).course.summary == "New words"


async def test_a_copy_read_after_the_transactions_own_change_is_not_kept(session_factory, clock) -> None:
    """A transaction that changed the catalogue reads a version nobody may ever commit: rolled back, the same number
    goes to the next real change, which a copy kept from that transaction would then pass for."""
    await load_world(session_factory, world(FIRST_DAY))
    snapshot = CatalogueSnapshot()
    async with session_factory() as session:
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Never committed"))
        never = await snapshot.current(session)
        await session.rollback()
    assert never.by_code[MULTI].title == "Never committed"

    async with session_factory.begin() as session:  # a real change: the number the rolled-back one had
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Committed"))
    async with session_factory() as session:
        seen = await snapshot.current(session)
    assert seen.version == never.version and seen.by_code[MULTI].title == "Committed"

    async with session_factory() as session:  # read without writing: kept, as before
        assert await snapshot.current(session) is seen
    assert snapshot.builds == 2
