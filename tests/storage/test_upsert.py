"""``insert_or_ignore``: its statement built once per shape, its values bound as parameters."""

from __future__ import annotations

from sqlalchemy import select

from storage import upsert
from storage.models import Person


async def test_insert_or_ignore_builds_its_statement_once_and_binds_each_call(session_factory) -> None:
    table = Person.__table__
    async with session_factory.begin() as session:
        values = [{"aad_object_id": f"aad-{n}", "name": f"Person {n}", "email": None} for n in range(2)]
        inserted = [await upsert.insert_or_ignore(session, table, v, ["aad_object_id"]) for v in values]  # type: ignore[arg-type]
        again = await upsert.insert_or_ignore(session, table, {**values[0], "name": "Other"}, ["aad_object_id"])  # type: ignore[arg-type]
    assert inserted == [True, True] and again is False
    async with session_factory() as session:
        names = (await session.scalars(select(Person.name).order_by(Person.aad_object_id))).all()
    assert names == ["Person 0", "Person 1"]  # the second call's own values, the one ignored left as it was
    dialect = session_factory.kw["bind"].dialect.name
    shape = (dialect, table, ("aad_object_id", "name", "email"), ("aad_object_id",))
    assert shape in upsert._IGNORES and upsert._ignore_statement(*shape) is upsert._IGNORES[shape]  # kept, reused
