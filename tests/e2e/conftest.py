"""Fixtures of the end-to-end suite.

``classroom-bot demo`` runs in a temporary directory (its own SQLite file) on a free loopback port (``--port 0``;
it prints the one it got), and the pinned Microsoft 365 Agents Playground runs on another with our demo people as
its users, so the suite can run beside another demo. Both start once for the package and are stopped when it is
done, also when a test fails. Without Node.js or ``npm ci`` the tests skip and say why (with ``E2E_REQUIRED=1``,
as in CI, they fail instead).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.settings import Settings
from tests.e2e.playground import (
    E2E_COORDINATORS,
    Chats,
    PlaygroundClient,
    RunningDemo,
    RunningPlayground,
    start_playground,
)
from tests.e2e.processes import ManagedProcess
from tests.support.node_tools import REPO_ROOT, require_node_package

ALEX_CHATS = Chats(
    personal="a:e2e-personal-alex",
    group="19:e2e-course-team@thread.v2",
    team="19:e2e-training-team@thread.tacv2",
    channel="19:e2e-coordinators@thread.tacv2",
)


def _demo_environment() -> dict[str, str]:
    """The environment minus every bot setting: the demo must run with its own defaults (auth off, SQLite), and
    this checkout's code (not whichever one the virtualenv has installed); the e2e-only coordinators as admins."""
    settings = {name.upper() for name in Settings.model_fields}
    env = {name: value for name, value in os.environ.items() if name.upper() not in settings}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["ADMIN_AAD_OBJECT_IDS"] = ",".join(person.aad_object_id for person in E2E_COORDINATORS)
    return env


@pytest.fixture(scope="package")
def playground_installed() -> None:
    require_node_package("@microsoft/m365agentsplayground")


@contextmanager
def running_demo(workdir: Path, settings: dict[str, str] | None = None) -> Iterator[RunningDemo]:
    """``classroom-bot demo`` with a database of its own in ``workdir``, stopped after; ``settings``: environment
    variables of the bot's own to run it with (e.g. a shorter reflection delay)."""
    process = ManagedProcess(
        "classroom-bot demo",
        [sys.executable, "-m", "bot.cli", "demo", "--port", "0"],
        cwd=workdir,
        env={**_demo_environment(), **(settings or {})},
    )
    try:
        endpoint = process.wait_for_line(r"Bot endpoint : (http://127\.0\.0\.1:\d+/api/messages)", timeout=90)
        process.wait_for_line(r"Press Ctrl\+C", timeout=30)  # printed once it is listening
        yield RunningDemo(process, endpoint.group(1))
    finally:
        process.stop(signal.SIGINT)


@pytest.fixture(scope="package")
def demo_bot(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with running_demo(tmp_path_factory.mktemp("demo")) as demo:
        yield demo


@pytest.fixture(scope="package")
def playground(demo_bot: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    running = start_playground(tmp_path_factory.mktemp("playground"), "Alex Wilber", ALEX_CHATS, demo_bot.endpoint)
    try:
        yield running
    finally:
        running.process.stop(signal.SIGTERM)


async def connect(playground: RunningPlayground) -> AsyncIterator[PlaygroundClient]:
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        # The Playground answers this once it has reached the bot (it waits up to 15 s for it).
        async with session.get(f"{playground.base_url}/_internal/v1/config") as response:
            assert response.status == 200, await response.text()
            served = (await response.json())["config"]
        assert served["currentUser"] == playground.config["currentUser"], "the Playground ignored our config file"
        async with PlaygroundClient(playground, session) as client:
            yield client


@pytest.fixture
async def alex(playground: RunningPlayground) -> AsyncIterator[PlaygroundClient]:
    """Alex Wilber (a participant in the demo), in the Playground."""
    async for client in connect(playground):
        yield client
