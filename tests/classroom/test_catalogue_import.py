"""Importing a catalogue file: upserts by code, keeps what the file does not mention, writes nothing on error.

Every test runs on SQLite and on PostgreSQL (the ``session_factory`` fixture).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from classroom.catalogue.file_format import CatalogueFileError, load_catalogue
from classroom.catalogue.importer import (
    CatalogueConflictError,
    ImportReport,
    import_catalogue,
)
from classroom.catalogue.service import CatalogueService
from classroom.clock import SystemClock
from classroom.demo.catalogue import demo_catalogue
from storage.models import (
    Course,
    CourseRun,
    LearningOutcome,
    Organisation,
    Person,
    PersonRole,
    Role,
    RunEligibleOrganisation,
    RunPrice,
    RunSession,
    RunTrainer,
)

Factory = async_sessionmaker[AsyncSession]

ZOE = "aad-zoe-0001"
REBECCA = "aad-rebecca-0002"

CATALOGUE = """\
organisations:
  - name: Brighton & Hove City Council
    price_band: 1
  - name: Downland County Council
    price_band: 2
courses:
  - code: PERM4
    title: Permanence
    summary: Four sessions on permanence.
    target_audience: Children's Services (B&HCC)
    prerequisites: Microsoft Teams, online learning session
    duration: Four sessions
    learning_outcomes:
      - understand what permanence is
      - identify the range of permanence options
      - explore the care planning process
    runs:
      - code: PERM4-A
        capacity: 16
        join_url: https://teams.microsoft.com/l/meetup-join/19%3ameeting_A%40thread.v2/0
        eligibility:
          audience: Children's Services staff of B&HCC
          organisations: [Brighton & Hove City Council]
        trainers:
          - name: Zoe Rosenfield
            aad_object_id: aad-zoe-0001
          - name: Rebecca Watts
            aad_object_id: aad-rebecca-0002
        prices: {tier_1: 320, tier_2: 360}
        sessions:
          - {date: 2021-06-14, start: 10:00, end: 15:00}
          - {date: 2021-07-12, start: 10:00, end: 15:00}
          - {date: 2021-09-13, start: 10:00, end: 15:00}
          - {date: 2021-10-11, start: 10:00, end: 15:00}
      - code: PERM4-B
        capacity: 16
        trainers:
          - name: A trainer without an Entra id
        sessions:
          - {date: 2021-11-01, start: 10:00, end: 15:00}
  - code: PERMPLAN
    title: Permanence Planning
    summary: One day on permanence planning.
    target_audience: Social Work Practitioners
    duration: One day
    learning_outcomes: [Understand the legal framework]
    runs:
      - code: PERMPLAN-1
        capacity: 18
        prices: {tier_1: 95}
        sessions:
          - {date: 2021-06-23, start: 09:30, end: 16:30}
"""

CHANGED = (
    CATALOGUE.replace("title: Permanence\n", "title: Permanence – What does it Mean?\n")
    .replace("  - code: PERM4\n", "  - code: perm4\n")  # lower case: still the same course
    .replace("      - explore the care planning process\n", "")
    .replace("capacity: 16\n        join_url", "capacity: 20\n        join_url")
    .replace("{date: 2021-07-12, start: 10:00, end: 15:00}", "{date: 2021-07-19, start: 09:30, end: 14:30}")
    .replace("prices: {tier_1: 320, tier_2: 360}", "prices: {tier_1: 330, tier_3: 400}")
    .replace("organisations: [Brighton & Hove City Council]", "organisations: [Downland County Council]")
    # PERM4-B is dropped from the file; PERM4-C is new.
    .replace(
        """      - code: PERM4-B
        capacity: 16
        trainers:
          - name: A trainer without an Entra id
        sessions:
          - {date: 2021-11-01, start: 10:00, end: 15:00}
""",
        """      - code: PERM4-C
        capacity: 12
        sessions:
          - {date: 2022-01-10, start: 10:00, end: 15:00}
""",
    )
)

TABLES = [
    Course,
    LearningOutcome,
    CourseRun,
    RunSession,
    RunTrainer,
    RunPrice,
    RunEligibleOrganisation,
    Organisation,
    Person,
    PersonRole,
]


async def row_counts(session_factory: Factory) -> dict[str, int]:
    async with session_factory() as session:
        return {
            table.__tablename__: await session.scalar(select(func.count()).select_from(table)) or 0 for table in TABLES
        }


async def load_course(session_factory: Factory, code: str) -> Course:
    async with session_factory() as session:
        course = await session.scalar(
            select(Course)
            .where(Course.code == code)
            .options(
                selectinload(Course.learning_outcomes),
                selectinload(Course.runs).options(
                    selectinload(CourseRun.sessions),
                    selectinload(CourseRun.trainers),
                    selectinload(CourseRun.prices),
                    selectinload(CourseRun.eligible_organisations),
                ),
            )
        )
        assert course is not None, f"course {code} is not in the database"
        return course


async def import_file(session_factory: Factory, path: Path) -> ImportReport:
    return await CatalogueService(session_factory, SystemClock()).import_file(path)


def run_of(course: Course, code: str) -> CourseRun:
    [run] = [run for run in course.runs if run.code == code]
    return run


def write(tmp_path: Path, text: str, name: str = "catalogue.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_import_creates_everything(session_factory: Factory, tmp_path: Path) -> None:
    report = await import_file(session_factory, write(tmp_path, CATALOGUE))

    assert report.courses_created == ["PERM4", "PERMPLAN"]
    assert report.runs_created == ["PERM4-A", "PERM4-B", "PERMPLAN-1"]
    assert report.organisations_created == ["Brighton & Hove City Council", "Downland County Council"]
    assert report.people_created == ["Zoe Rosenfield", "Rebecca Watts"]
    assert report.runs_not_in_file == [] and report.courses_not_in_file == []
    assert await row_counts(session_factory) == {
        "courses": 2,
        "learning_outcomes": 4,
        "course_runs": 3,
        "run_sessions": 6,
        "run_trainers": 3,
        "run_prices": 3,
        "run_eligible_organisations": 1,
        "organisations": 2,
        "people": 2,
        "person_roles": 2,
    }

    course = await load_course(session_factory, "PERM4")
    assert course.prerequisites == "Microsoft Teams, online learning session"
    assert course.delivery == "Online via Microsoft Teams"
    assert [(o.position, o.text) for o in course.learning_outcomes] == [
        (1, "understand what permanence is"),
        (2, "identify the range of permanence options"),
        (3, "explore the care planning process"),
    ]
    run = run_of(course, "PERM4-A")
    assert run.capacity == 16 and run.eligible_audience == "Children's Services staff of B&HCC"
    assert [s.position for s in run.sessions] == [1, 2, 3, 4]
    assert run.sessions[0].starts_at == datetime(2021, 6, 14, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert run.sessions[0].ends_at == datetime(2021, 6, 14, 14, 0, tzinfo=UTC)
    assert {p.band: p.amount_pence for p in run.prices} == {1: 32000, 2: 36000}
    assert [link.organisation.name for link in run.eligible_organisations] == ["Brighton & Hove City Council"]
    assert [t.name for t in run.trainers] == ["Zoe Rosenfield", "Rebecca Watts"]
    assert run_of(course, "PERM4-B").sessions[0].starts_at == datetime(2021, 11, 1, 10, 0, tzinfo=UTC)  # GMT


async def test_reimporting_the_same_file_changes_nothing(session_factory: Factory, tmp_path: Path) -> None:
    path = write(tmp_path, CATALOGUE)
    await import_file(session_factory, path)
    before = await row_counts(session_factory)

    report = await import_file(session_factory, path)

    assert not report.changed
    assert report.courses_unchanged == ["PERM4", "PERMPLAN"]
    assert report.runs_unchanged == ["PERM4-A", "PERM4-B", "PERMPLAN-1"]
    assert report.courses_updated == report.runs_updated == report.runs_created == []
    assert "Nothing changed." in report.summary()
    assert await row_counts(session_factory) == before


async def test_reimport_with_changes_updates_by_code(session_factory: Factory, tmp_path: Path) -> None:
    await import_file(session_factory, write(tmp_path, CATALOGUE))
    before = await load_course(session_factory, "PERM4")
    session_ids = [s.id for s in run_of(before, "PERM4-A").sessions]

    report = await import_file(session_factory, write(tmp_path, CHANGED, "changed.yaml"))

    assert report.courses_updated == ["PERM4"] and report.courses_unchanged == ["PERMPLAN"]
    assert report.runs_updated == ["PERM4-A"] and report.runs_created == ["PERM4-C"]
    assert report.runs_unchanged == ["PERMPLAN-1"]
    assert report.runs_not_in_file == ["PERM4-B"]  # kept, and reported so a coordinator sees it
    assert "Runs not in file (kept): PERM4-B" in report.summary()

    counts = await row_counts(session_factory)
    assert counts["courses"] == 2  # no duplicate for "perm4"
    assert counts["course_runs"] == 4  # PERM4-A, PERM4-B (kept), PERM4-C, PERMPLAN-1
    assert counts["learning_outcomes"] == 3

    after = await load_course(session_factory, "PERM4")
    assert after.id == before.id
    assert after.title == "Permanence – What does it Mean?"
    assert [o.text for o in after.learning_outcomes] == [
        "understand what permanence is",
        "identify the range of permanence options",
    ]
    run = run_of(after, "PERM4-A")
    assert run.capacity == 20
    # Sessions are updated in place: same rows, new times (so anything referring to a session survives).
    assert [s.id for s in run.sessions] == session_ids
    assert run.sessions[1].starts_at == datetime(2021, 7, 19, 8, 30, tzinfo=UTC)
    assert {p.band: p.amount_pence for p in run.prices} == {1: 33000, 3: 40000}
    assert [link.organisation.name for link in run.eligible_organisations] == ["Downland County Council"]
    kept = run_of(after, "PERM4-B")
    assert [t.name for t in kept.trainers] == ["A trainer without an Entra id"]  # untouched
    assert [s.starts_at for s in run_of(after, "PERM4-C").sessions] == [datetime(2022, 1, 10, 10, 0, tzinfo=UTC)]


async def test_invalid_file_writes_nothing(session_factory: Factory, tmp_path: Path) -> None:
    await import_file(session_factory, write(tmp_path, CATALOGUE))
    before = await row_counts(session_factory)

    # Valid changes before the error must not be written either.
    invalid = CHANGED.replace("capacity: 18", "capacity: 0")
    with pytest.raises(CatalogueFileError) as caught:
        await import_file(session_factory, write(tmp_path, invalid, "invalid.yaml"))

    [problem] = caught.value.problems
    assert problem.field == "courses[1].runs[0].capacity" and problem.message == "must be greater than 0"
    assert await row_counts(session_factory) == before
    assert (await load_course(session_factory, "PERM4")).title == "Permanence"


async def test_invalid_file_into_an_empty_database_writes_nothing(session_factory: Factory, tmp_path: Path) -> None:
    with pytest.raises(CatalogueFileError):
        await import_file(session_factory, write(tmp_path, CATALOGUE.replace("price_band: 2", "price_band: 0")))

    assert set((await row_counts(session_factory)).values()) == {0}


async def test_trainers_with_entra_ids_get_the_trainer_role(session_factory: Factory, tmp_path: Path) -> None:
    # Rebecca already uses the bot as a participant, under the name Teams gave her.
    async with session_factory.begin() as session:
        session.add(Person(aad_object_id=REBECCA, name="Rebecca W.", roles=[PersonRole(role=Role.PARTICIPANT)]))

    report = await import_file(session_factory, write(tmp_path, CATALOGUE))

    assert report.people_created == ["Zoe Rosenfield"]
    assert sorted(report.trainer_roles_granted) == ["Rebecca W.", "Zoe Rosenfield"]
    async with session_factory() as session:
        people = {p.aad_object_id: p for p in await session.scalars(select(Person))}
    assert people[ZOE].role_set == {Role.TRAINER}
    assert people[ZOE].name == "Zoe Rosenfield"
    assert people[REBECCA].role_set == {Role.PARTICIPANT, Role.TRAINER}
    assert people[REBECCA].name == "Rebecca W."  # not overwritten by the file

    course = await load_course(session_factory, "PERM4")
    linked = {t.name: t.person_id for t in run_of(course, "PERM4-A").trainers}
    assert linked == {"Zoe Rosenfield": people[ZOE].id, "Rebecca Watts": people[REBECCA].id}
    assert run_of(course, "PERM4-B").trainers[0].person_id is None  # no Entra id: a name only

    again = await import_file(session_factory, write(tmp_path, CATALOGUE))
    assert again.people_created == [] and again.trainer_roles_granted == []
    assert (await row_counts(session_factory))["person_roles"] == 3


async def test_rows_numbered_another_way_are_renumbered(session_factory: Factory, tmp_path: Path) -> None:
    # Positions written by something other than the importer (here 0-based) must not collide on the
    # (parent, position) unique constraints when the file's rows are written as 1, 2, 3...
    async with session_factory.begin() as session:
        session.add(
            Course(
                code="PERM4",
                title="Old title",
                summary="Old",
                target_audience="Old",
                duration="Old",
                delivery="Old",
                learning_outcomes=[
                    LearningOutcome(position=0, text="old a"),
                    LearningOutcome(position=1, text="old b"),
                ],
                runs=[
                    CourseRun(
                        code="PERM4-A",
                        capacity=5,
                        sessions=[
                            RunSession(
                                position=position,
                                starts_at=datetime(2021, 5, day, 9, tzinfo=UTC),
                                ends_at=datetime(2021, 5, day, 12, tzinfo=UTC),
                            )
                            for position, day in ((0, 3), (1, 10))
                        ],
                    )
                ],
            )
        )

    report = await import_file(session_factory, write(tmp_path, CATALOGUE))

    assert report.courses_updated == ["PERM4"] and report.runs_updated == ["PERM4-A"]
    course = await load_course(session_factory, "PERM4")
    assert [(o.position, o.text) for o in course.learning_outcomes] == [
        (1, "understand what permanence is"),
        (2, "identify the range of permanence options"),
        (3, "explore the care planning process"),
    ]
    sessions = run_of(course, "PERM4-A").sessions
    assert [s.position for s in sessions] == [1, 2, 3, 4]
    assert sessions[0].starts_at == datetime(2021, 6, 14, 9, 0, tzinfo=UTC)


async def test_a_run_cannot_move_to_another_course(session_factory: Factory, tmp_path: Path) -> None:
    await import_file(session_factory, write(tmp_path, CATALOGUE))
    before = await row_counts(session_factory)
    moved = CATALOGUE.replace("code: PERMPLAN-1", "code: PERM4-B").replace(
        "  - code: PERM4-B\n        capacity: 16", "  - code: PERM4-D\n        capacity: 16"
    )
    path = write(tmp_path, moved, "moved.yaml")

    with pytest.raises(CatalogueConflictError) as caught:
        await import_file(session_factory, path)

    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert problem.field == "courses[1].runs[0].code"
    assert problem.line == next(n for n, line in enumerate(moved.splitlines(), 1) if "capacity: 18" in line) - 1
    assert "run PERM4-B belongs to course PERM4, not PERMPLAN" in problem.message
    assert await row_counts(session_factory) == before


async def test_import_catalogue_leaves_the_transaction_to_the_caller(session_factory: Factory, tmp_path: Path) -> None:
    document = load_catalogue(write(tmp_path, CATALOGUE))
    async with session_factory() as session:
        await session.begin()
        report = await import_catalogue(session, document)
        assert session.in_transaction()  # not committed by the importer
        assert await session.scalar(select(func.count()).select_from(Course)) == 2  # flushed, visible here
        await session.rollback()

    assert report.courses_created == ["PERM4", "PERMPLAN"]
    assert set((await row_counts(session_factory)).values()) == {0}


async def test_demo_catalogue_imports(session_factory: Factory) -> None:
    async with session_factory.begin() as session:
        report = await import_catalogue(session, demo_catalogue(date(2026, 11, 23)))

    assert isinstance(report, ImportReport)
    assert report.courses_created == ["PERMPLAN", "PERM4"]
    assert report.runs_created == ["PERMPLAN-1", "PERMPLAN-2", "PERM4-A"]
    counts = await row_counts(session_factory)
    assert counts["learning_outcomes"] == 14 and counts["run_sessions"] == 6 and counts["run_prices"] == 15
    assert counts["run_eligible_organisations"] == 1 and counts["organisations"] == 4
