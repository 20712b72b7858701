"""The places held and the people waiting on a run are counted on every enrolment step (``enrol CODE``, the quote,
the place taken, the place given up). Rows given up stay (one per person and run, reused when they come back), so
a run gathers many more rows than places, and every run's places held add up: each count must find just the rows
it counts, on its run and in its statuses, through the (run_id, status) index (0025)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import CourseRun, Enrolment, EnrolmentStatus, Person
from tests.classroom.enrolment.conftest import ALEX, ISAIAH
from tests.support.enrolment import MULTI, MULTI_RUN, ONE_DAY_RUN

# The counting subqueries read an alias of enrolments (``_counted`` in queries and withdrawals).
_COUNTED = re.compile(r"count\((enrolments_\d+)\.id\)")
_INDEX = "ix_enrolments_run_id_status"
MANY = 300


async def _crowd(session_factory) -> None:  # type: ignore[no-untyped-def]
    """Many people who gave up their place on the run counted, and many holding or waiting for one on another."""
    async with session_factory.begin() as session:
        runs = dict((await session.execute(select(CourseRun.code, CourseRun.id))).all())
        people = [{"aad_object_id": f"aad-crowd-{n}", "name": f"Crowd {n}"} for n in range(3 * MANY)]
        ids = (await session.execute(insert(Person).returning(Person.id), people)).scalars().all()
        statuses = [
            (runs[MULTI_RUN], EnrolmentStatus.CANCELLED),
            (runs[ONE_DAY_RUN], EnrolmentStatus.CONFIRMED),
            (runs[ONE_DAY_RUN], EnrolmentStatus.WAITLISTED),
        ]
        rows = [
            {"run_id": run_id, "person_id": person_id, "status": status, "round": 1}
            for n, (run_id, status) in enumerate(statuses)
            for person_id in ids[n * MANY : (n + 1) * MANY]
        ]
        await session.execute(insert(Enrolment), rows)


async def _counted_reads(engine: AsyncEngine, statement: str, parameters: Any) -> list[tuple[str, str, bool]]:
    """Each read of a counted alias in the statement's plan, once the database has looked at the rows as they are
    (ANALYZE): the alias, how it is read, and whether that reads just the rows counted (the run's, in the status)."""
    counted = set(_COUNTED.findall(statement))
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            await connection.exec_driver_sql("ANALYZE")
            plan = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            lines = [str(row[-1]) for row in plan]
            searched = f"USING COVERING INDEX {_INDEX} (run_id=? AND status=?)"
            return [(alias, line, searched in line) for line in lines for alias in counted if f" {alias} " in line]
        await connection.exec_driver_sql("ANALYZE enrolments")
        await connection.exec_driver_sql("SET enable_seqscan = off")  # a small table would be read whole
        [(document,)] = (await connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)).all()
    plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    return [
        (node["Alias"], _how(node), _just_the_rows_counted(node))
        for node in _nodes(plan)
        if node.get("Alias") in counted
    ]


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def _how(node: dict[str, Any]) -> str:
    keys = ("Node Type", "Index Name", "Index Cond", "Filter")
    return " / ".join(" ".join(str(n[k]) for k in keys if k in n) for n in _nodes(node))


def _just_the_rows_counted(node: dict[str, Any]) -> bool:
    """A PostgreSQL scan (an index scan, or a bitmap scan over index scans) that walks only the (run_id, status)
    index, on both columns, and filters no row it reads."""
    scans = [n for n in _nodes(node) if "Index Name" in n]
    return (
        node["Node Type"] != "Seq Scan"
        and "Filter" not in node
        and bool(scans)
        and all(
            n["Index Name"] == _INDEX and "run_id" in n["Index Cond"] and "status" in n["Index Cond"] for n in scans
        )
    )


async def test_the_enrolment_steps_count_just_the_rows_counted(service, engine, session_factory) -> None:
    await service.enrol(ISAIAH, MULTI_RUN)
    await _crowd(session_factory)
    captured: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if _COUNTED.search(statement):
            captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        [run] = (await service.begin(ALEX, "Alex Wilber", MULTI)).runs  # enrol CODE's first read
        quote = await service.quote(ALEX, MULTI_RUN)
        await service.enrol(ALEX, MULTI_RUN)  # the common place, under the run's lock
        await service.withdraw(ALEX, MULTI_RUN)  # the read under the run's lock before giving it up
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert (run.places_left, quote.places_left, quote.waitlist_length) == (2, 2, 0)  # the crowd holds none here
    assert len(captured) == 4, [statement for statement, _ in captured]
    for statement, parameters in captured:
        reads = await _counted_reads(engine, statement, parameters)
        assert len(reads) == 2, (reads, statement)  # the places held, the people waiting
        assert all(fine for _, _, fine in reads), (reads, statement)
