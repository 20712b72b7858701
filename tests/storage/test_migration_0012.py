"""Migration 0012 (the record of administration, trainers linked in Teams) up and down, with data in place."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from classroom.admin.service import AdminService
from classroom.people import assign_roles
from storage.engine import create_session_factory
from storage.migrate import upgrade
from storage.models import Role
from tests.conftest import FakeClock
from tests.storage.test_migrations import _migrate
from tests.support.enrolment import MULTI_RUN, load_world, world


async def _shape(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda c: (
                set(inspect(c).get_table_names()),
                {column["name"] for column in inspect(c).get_columns("run_trainers")},
            )
        )


async def test_0012_up_and_down_keeps_the_trainers(engine: AsyncEngine, clock: FakeClock) -> None:
    from tests.classroom.enrolment.conftest import FIRST_DAY

    factory = create_session_factory(engine)
    await load_world(factory, world(FIRST_DAY))
    async with factory.begin() as session:
        await assign_roles(session, "aad-admin", [Role.ADMIN], "Patti Fernandez")
    await AdminService(factory, clock).link_trainer("aad-admin", "aad-lynne", "Lynne Robbins", MULTI_RUN, link=True)
    tables, columns = await _shape(engine)
    assert "admin_changes" in tables and "linked_in_teams" in columns

    await _migrate(engine, "downgrade", "0011")
    tables, columns = await _shape(engine)
    assert "admin_changes" not in tables and "linked_in_teams" not in columns
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM run_trainers ORDER BY run_id, position"))).scalars()
        assert list(names) == ["Zoe Rosenfield", "Rebecca Watts", "Lynne Robbins"]  # a trainer still, unmarked

    await upgrade(engine)
    tables, columns = await _shape(engine)
    assert "admin_changes" in tables and "linked_in_teams" in columns
    async with engine.connect() as connection:
        flags = (await connection.execute(text("SELECT linked_in_teams FROM run_trainers"))).scalars().all()
        assert [bool(flag) for flag in flags] == [False, False, False]
        assert (await connection.execute(text("SELECT count(*) FROM admin_changes"))).scalar() == 0
