"""Roles come from the person's Entra object id as Teams sends it: the Playground as Adele Vance, the demo's
coordinator, gets the coordinator's welcome and help."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.demo_people import DEMO_PEOPLE
from bot.manifest_package import registered_commands
from dialogs.routing import PERSONAL
from tests.e2e.conftest import connect
from tests.e2e.playground import PlaygroundClient, RunningDemo, RunningPlayground, card, card_text, facts, playground_as

pytestmark = pytest.mark.e2e

ADELE = next(person for person in DEMO_PEOPLE if person.name == "Adele Vance")


@pytest.fixture(scope="module")
def adeles_playground(demo_bot: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    with playground_as(tmp_path_factory, ADELE.name, "personal-adele", demo_bot.endpoint) as running:
        yield running


@pytest.fixture
async def adele(adeles_playground: RunningPlayground) -> AsyncIterator[PlaygroundClient]:
    async for client in connect(adeles_playground):
        yield client


async def test_a_coordinator_is_welcomed_as_one_and_sees_the_coordinators_commands(adele: PlaygroundClient) -> None:
    chat = adele.playground.chats.personal
    await adele.install(chat)
    welcome = card_text(await adele.reply(chat))
    assert welcome.startswith("Welcome, Adele!")
    assert "As a coordinator" in welcome and "Browse our social-work courses" not in welcome

    await adele.say(chat, "help")
    listed = [usage for usage, _ in facts(card(await adele.reply(chat)))]
    assert listed == [command.usage for command in registered_commands().visible_to(ADELE.roles, PERSONAL)]
