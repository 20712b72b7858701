"""The bot migrates on start only when the schema is behind, in a child process: Alembic never loads into it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.engine import create_engine
from storage.migrate import HEAD, MigrationFailed, alembic_config, bring_to_head, current_revision

# A fresh interpreter, as the bot starts: bring the database to head, then say whether Alembic was imported here.
_START = """
import asyncio, json, sys
import bot.app
from storage.engine import create_engine
from storage.migrate import bring_to_head, current_revision

async def main(url):
    engine = create_engine(url)
    try:
        migrated = await bring_to_head(engine)
        return migrated, await current_revision(engine)
    finally:
        await engine.dispose()

migrated, revision = asyncio.run(main(sys.argv[1]))
print(json.dumps({"migrated": migrated, "revision": revision, "alembic": "alembic" in sys.modules}))
"""


def _start(url: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", _START, url], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_head_is_alembics_newest_revision() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == HEAD


def test_a_new_database_is_migrated_by_a_child_and_a_current_one_is_only_read(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    assert _start(url) == {"migrated": True, "revision": HEAD, "alembic": False}
    assert _start(url) == {"migrated": False, "revision": HEAD, "alembic": False}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_failed_upgrade_is_reported_with_the_childs_reason(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(MigrationFailed, match="9999"):
            await bring_to_head(engine)
        assert await current_revision(engine) == "9999"
    finally:
        await engine.dispose()


async def test_an_in_memory_database_is_migrated_in_this_process() -> None:
    """A child process would migrate an in-memory database of its own; this process's would stay empty."""
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert await bring_to_head(engine) is True
        assert await current_revision(engine) == HEAD
    finally:
        await engine.dispose()
