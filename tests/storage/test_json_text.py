"""JSON columns are written with orjson (``storage/json_text.py``): compact UTF-8 text that reads back as the
value ``json`` would have stored, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.base import JsonDocument
from storage.json_text import dumps

VALUES = [
    {"title": "Café — “quoted”", "n": 3, "x": 1.5, "none": None, "yes": True, "list": [1, "two", [3]]},
    {1: "a number key", False: "a boolean key", 2.5: "a float key"},  # strings, as json makes them
    {"big": 2**70},  # past orjson's 64 bits: json writes it
    [],
    "\u2028 and a lone \ud800",
]


@pytest.mark.parametrize("value", VALUES)
def test_the_text_reads_back_as_jsons_would(value: object) -> None:
    assert json.loads(dumps(value)) == json.loads(json.dumps(value))


def test_what_is_not_plain_json_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError):
        dumps({"at": datetime(2026, 12, 5, tzinfo=UTC)})


def test_the_text_is_compact_utf8() -> None:
    assert dumps({"title": "Café", "list": [1, 2]}) == '{"title":"Café","list":[1,2]}'


async def test_a_json_column_is_written_compact_and_reads_back(engine: AsyncEngine) -> None:
    metadata = MetaData()
    documents = Table(
        "json_text_documents", metadata, Column("id", Integer, primary_key=True), Column("doc", JsonDocument)
    )
    value = {"title": "Café", "list": [1, 2], 3: "x"}
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        async with engine.begin() as connection:
            await connection.execute(documents.insert(), {"id": 1, "doc": value})
            stored = await connection.scalar(select(documents.c.doc))
            raw = await connection.scalar(text("SELECT CAST(doc AS TEXT) FROM json_text_documents"))
    finally:  # the PostgreSQL test database is kept between tests: leave no table the models do not have
        async with engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)
    assert stored == {"title": "Café", "list": [1, 2], "3": "x"}
    if engine.dialect.name == "sqlite":  # JSONB keeps its own form of the text
        assert raw == '{"title":"Café","list":[1,2],"3":"x"}'
