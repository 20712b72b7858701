"""Data protection in Microsoft's Teams emulator: Alex, booked on the four-session course, asks for his data and
downloads the file from the card's link; then asks to be forgotten and confirms on the card. Afterwards Adele's
roster of the run (she is a coordinator) shows an anonymised entry in place of his name, and ``my data`` for Alex
shows nothing personal.

An erasure cannot be undone, so this runs against a demo bot of its own (its own database), not the one the
other end-to-end tests share.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.demo_people import DEMO_PEOPLE
from tests.e2e.conftest import connect, running_demo
from tests.e2e.playground import (
    PlaygroundClient,
    RunningDemo,
    RunningPlayground,
    button,
    card,
    card_text,
    playground_as,
    said,
    until_enrolled,
)

pytestmark = pytest.mark.e2e

ALEX = next(person for person in DEMO_PEOPLE if person.name == "Alex Wilber")
ADELE = next(person for person in DEMO_PEOPLE if person.name == "Adele Vance")


@pytest.fixture(scope="module")
def own_demo(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with running_demo(tmp_path_factory.mktemp("privacy-demo")) as demo:
        yield demo


@pytest.fixture(scope="module")
def alexs_playground(own_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    with playground_as(tmp_path_factory, ALEX.name, "privacy-alex", own_demo.endpoint) as running:
        yield running


@pytest.fixture(scope="module")
def adeles_playground(own_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    with playground_as(tmp_path_factory, ADELE.name, "privacy-adele", own_demo.endpoint) as running:
        yield running


@pytest.fixture
async def alex(alexs_playground: RunningPlayground) -> AsyncIterator[PlaygroundClient]:
    async for client in connect(alexs_playground):
        yield client


@pytest.fixture
async def adele(adeles_playground: RunningPlayground) -> AsyncIterator[PlaygroundClient]:
    async for client in connect(adeles_playground):
        yield client


async def test_alex_downloads_his_data_then_is_forgotten(alex: PlaygroundClient, adele: PlaygroundClient) -> None:
    chat = alex.playground.chats.personal
    await alex.install(chat)
    await alex.replies_until(chat, lambda m: said(m).startswith("Welcome"))
    await alex.say(chat, "enrol PERM4")
    question = await alex.reply(chat)
    await alex.press(chat, question, "I can attend every date")
    await until_enrolled(alex, chat)  # the evaluation's "before" survey comes too

    # His data: a summary card, and the complete file at the card's link.
    await alex.say(chat, "my data")
    summary = await alex.reply(chat)
    shown = card_text(summary)
    assert shown.startswith("What I hold about you") and "Alex Wilber" in shown and "PERM4-A" in shown
    async with alex.session.get(button(summary, "Download everything (JSON)")["url"]) as response:
        assert response.status == 200, await response.text()
        assert response.headers["Cache-Control"] == "no-store"
        document = json.loads(await response.read())
    assert document["entra_object_id"] == ALEX.aad_object_id
    assert document["sections"]["Profile"]["name"] == "Alex Wilber"
    assert [course["run"] for course in document["sections"]["Courses"]] == ["PERM4-A"]

    # Forget me: the card says what goes and what is kept; the button erases.
    await alex.say(chat, "forget me")
    confirmation = await alex.reply(chat)
    asked = card_text(confirmation)
    assert asked.startswith("Forget you?") and "Your booking on PERM4-A" in asked
    answer = await alex.execute(chat, confirmation, "Forget me")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    assert answer["value"]["fallbackText"].startswith("Forgotten")

    # The coordinator's roster keeps the place, without his name.
    adeles_chat = adele.playground.chats.personal
    await adele.say(adeles_chat, "roster PERM4-A")
    roster = card_text(await adele.reply(adeles_chat))
    assert "Erased person" in roster and "Alex Wilber" not in roster, roster

    # And there is nothing personal left to show him.
    await alex.say(chat, "my data")
    after = await alex.reply(chat)
    assert "I hold no data about you" in card_text(after)
    assert "Alex Wilber" not in card_text(after) and not card(after).get("actions")
    async with alex.session.get(button(summary, "Download everything (JSON)")["url"]) as response:
        assert response.status == 404
