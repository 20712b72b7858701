"""The ``classroom-bot`` command line: exit codes and messages people and scripts rely on."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import cli
from bot.cli import _seed_demo, main
from bot.settings import Settings
from storage.engine import create_engine, create_session_factory
from storage.models import Course, CourseRun, Person, RunSession
from tests.e2e.processes import ManagedProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOGUE = REPO_ROOT / "classroom" / "demo" / "catalogue.yaml"


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    return url


async def _counts(url: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            return (
                await session.scalar(select(func.count(Course.id))),
                await session.scalar(select(func.count(CourseRun.id))),
                await session.scalar(select(func.count(RunSession.id))),
            )
    finally:
        await engine.dispose()


def test_db_upgrade_migrates(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "newest schema" in capsys.readouterr().out
    assert asyncio.run(_counts(sqlite_url)) == (0, 0, 0)


def test_unreachable_database_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres:secret@127.0.0.1:9/nowhere")
    assert main(["db", "upgrade"]) == 1
    error = capsys.readouterr().err
    assert "cannot reach the database" in error
    assert "secret" not in error and "Traceback" not in error


def test_catalogue_import_then_reimport_updates_by_code(sqlite_url: str) -> None:
    assert main(["catalogue", "import", str(DEMO_CATALOGUE)]) == 0
    first = asyncio.run(_counts(sqlite_url))
    assert main(["catalogue", "import", str(DEMO_CATALOGUE)]) == 0
    assert asyncio.run(_counts(sqlite_url)) == first
    assert first[0] == 2


def test_invalid_catalogue_exits_2_naming_file_line_and_field_and_changes_nothing(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalogue", "import", str(DEMO_CATALOGUE)]) == 0
    before = asyncio.run(_counts(sqlite_url))
    broken = tmp_path / "broken.yaml"
    text = DEMO_CATALOGUE.read_text(encoding="utf-8")
    broken.write_text(text.replace("capacity: ", "capacity: -", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["catalogue", "import", str(broken)]) == 2
    error = capsys.readouterr().err
    assert "broken.yaml:" in error and "capacity" in error and "nothing was changed" in error
    assert asyncio.run(_counts(sqlite_url)) == before


def test_demo_seed_is_idempotent(sqlite_url: str) -> None:
    async def seed_twice() -> tuple[tuple[int, int, int], int]:
        engine = create_engine(sqlite_url)
        try:
            from storage.migrate import upgrade

            await upgrade(engine)
            factory = create_session_factory(engine)
            await _seed_demo(factory)
            await _seed_demo(factory)
            async with factory() as session:
                people = await session.scalar(select(func.count(Person.id)))
        finally:
            await engine.dispose()
        return await _counts(sqlite_url), people

    (courses, runs, sessions), people = asyncio.run(seed_twice())
    assert courses == 2 and runs >= 2 and sessions >= 5
    assert people >= 6


class _DemoUpToServing:
    """``main(["demo", ...])`` without serving or a database: records the port it asked for (binding a free one
    instead, so no test ever takes 3978), then the settings, banner and socket it would serve with."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.requested: tuple[str, int] | None = None
        self.served: tuple[Settings, str | None] | None = None
        self.listening_port: int | None = None
        real_listen = cli._listen

        def listen(host: str, port: int) -> socket.socket:
            self.requested = (host, port)
            return real_listen(host, 0)

        async def no_database(_settings: Settings, _work: object) -> str:
            return "2 courses (test)"

        def serve(settings: Settings, banner: str | None = None, sock: socket.socket | None = None) -> int:
            assert sock is not None
            self.served = (settings, banner)
            self.listening_port = sock.getsockname()[1]
            return 0

        monkeypatch.setattr(cli, "_listen", listen)
        monkeypatch.setattr(cli, "_with_database", no_database)
        monkeypatch.setattr(cli, "_serve", serve)


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> _DemoUpToServing:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("HOST", "PORT", "PUBLIC_BASE_URL", "BOT_DOMAIN"):
        monkeypatch.delenv(name, raising=False)
    return _DemoUpToServing(monkeypatch)


@pytest.mark.parametrize(
    ("argv", "port_env", "expected"),
    [
        ([], None, 3978),
        ([], "4567", 4567),
        (["--port", "4568"], "4567", 4568),
        (["--port", "0"], "4567", 0),
    ],
)
def test_demo_port_is_the_flag_else_PORT_else_3978_on_loopback(
    demo: _DemoUpToServing, monkeypatch: pytest.MonkeyPatch, argv: list[str], port_env: str | None, expected: int
) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")  # the demo ignores HOST: it stays on loopback
    if port_env is not None:
        monkeypatch.setenv("PORT", port_env)
    assert main(["demo", *argv]) == 0
    assert demo.requested == ("127.0.0.1", expected)


def test_demo_on_port_0_shows_and_links_the_port_it_got(demo: _DemoUpToServing) -> None:
    assert main(["demo", "--port", "0"]) == 0
    assert demo.served is not None
    settings, banner = demo.served
    port = demo.listening_port
    assert port != 0 and (settings.host, settings.port) == ("127.0.0.1", port)
    assert banner is not None
    assert f"Bot endpoint : http://127.0.0.1:{port}/api/messages" in banner
    assert f"Health       : http://127.0.0.1:{port}/healthz" in banner
    assert banner.count(f"agentsplayground -e http://127.0.0.1:{port}/api/messages") == 3, banner
    assert settings.browser_base_url == f"http://127.0.0.1:{port}"  # "Add to calendar" links


def test_demo_on_3978_shows_the_playground_command_without_e() -> None:
    banner = cli._demo_banner(Settings.model_construct(host="127.0.0.1", port=3978), "2 courses")
    assert "agentsplayground\n" in banner and " -e " not in banner


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_demo_rejects_a_port_that_is_not_one(
    demo: _DemoUpToServing, port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--port", port])
    assert exit_.value.code == 2
    assert "not a port number" in capsys.readouterr().err
    assert demo.requested is None


def test_demo_on_a_taken_port_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["demo", "--port", str(port)]) == 1
    error = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in error and "Traceback" not in error
    assert not (tmp_path / "classroom.sqlite3").exists()  # it stopped before touching the database


@pytest.mark.parametrize(("argv", "expected"), [([], 4567), (["--port", "4568"], 4568)])
def test_serve_port_is_the_flag_else_PORT(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str], expected: int
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORT", "4567")
    served: list[Settings] = []

    async def no_database(_settings: Settings, _work: object) -> None:
        return None

    def serve(settings: Settings, *_: object) -> int:
        served.append(settings)
        return 0

    monkeypatch.setattr(cli, "_with_database", no_database)
    monkeypatch.setattr(cli, "_serve", serve)
    assert main(["serve", *argv]) == 0
    assert [settings.port for settings in served] == [expected]


def test_demo_serves_on_a_free_port_and_stops_cleanly(tmp_path: Path) -> None:
    """The real thing, on the port the system picks (so it can run beside another demo): it prints that port,
    answers there, and Ctrl+C stops it with exit code 0."""
    bot_settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in bot_settings}  # the demo's own defaults
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))  # this checkout
    process = ManagedProcess(
        "classroom-bot demo", [sys.executable, "-m", "bot.cli", "demo", "--port", "0"], cwd=tmp_path, env=env
    )
    try:
        port = int(process.wait_for_line(r"Health +: http://127\.0\.0\.1:(\d+)/healthz", timeout=90).group(1))
        process.wait_for_line(r"Press Ctrl\+C", timeout=30)  # the banner is printed once the server is listening
        banner = process.output()
        assert port != 0
        assert "classroom bot ready on database" in banner and ", event loop uvloop" in banner  # bot/event_loop.py
        assert f"Bot endpoint : http://127.0.0.1:{port}/api/messages" in banner, banner
        assert f"agentsplayground -e http://127.0.0.1:{port}/api/messages" in banner and "Alex Wilber" in banner
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
        assert (tmp_path / "classroom.sqlite3").exists()
    finally:
        returncode = process.stop(signal.SIGINT)
    assert returncode == 0, process.output()


def test_privacy_purge_reports_what_it_removed_by_kind(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["privacy", "purge"]) == 0
    out = capsys.readouterr().out
    for kind in ("closed_enquiries", "finished_notifications", "download_links", "dialog_state", "poll_answers"):
        assert f"{kind}: 0 removed" in out
