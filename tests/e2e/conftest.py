"""Fixtures of the end-to-end suite.

``classroom-bot demo`` runs in a temporary directory (its own SQLite file) on its fixed port 3978, and the pinned
Microsoft 365 Agents Playground runs on a free loopback port with our demo people as its users. Both start once
for the package and are stopped when it is done, also when a test fails. Without Node.js or ``npm ci`` the tests
skip and say why (with ``E2E_REQUIRED=1``, as in CI, they fail instead).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from bot.settings import Settings
from tests.e2e.playground import Chats, PlaygroundClient, RunningPlayground, start_playground
from tests.e2e.processes import ManagedProcess, port_is_free
from tests.support.node_tools import require_node_package

DEMO_PORT = 3978
ALEX_CHATS = Chats(
    personal="a:e2e-personal-alex",
    group="19:e2e-course-team@thread.v2",
    team="19:e2e-training-team@thread.tacv2",
    channel="19:e2e-coordinators@thread.tacv2",
)


def _demo_environment() -> dict[str, str]:
    """The environment minus every bot setting: the demo must run with its own defaults (auth off, SQLite)."""
    settings = {name.upper() for name in Settings.model_fields}
    return {name: value for name, value in os.environ.items() if name.upper() not in settings}


@pytest.fixture(scope="package")
def playground_installed() -> None:
    require_node_package("@microsoft/m365agentsplayground")


@pytest.fixture(scope="package")
def demo_bot(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedProcess]:
    if not port_is_free(DEMO_PORT):
        pytest.fail(
            f"port {DEMO_PORT} is in use (another `classroom-bot demo`?); the end-to-end tests start the demo there",
            pytrace=False,
        )
    workdir = tmp_path_factory.mktemp("demo")
    process = ManagedProcess(
        "classroom-bot demo", [sys.executable, "-m", "bot.cli", "demo"], cwd=workdir, env=_demo_environment()
    )
    try:
        process.wait_for_line(r"Press Ctrl\+C", timeout=90)  # printed once it is listening
        yield process
    finally:
        process.stop(signal.SIGINT)


@pytest.fixture(scope="package")
def playground(demo_bot: ManagedProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    running = start_playground(tmp_path_factory.mktemp("playground"), "Alex Wilber", ALEX_CHATS)
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
