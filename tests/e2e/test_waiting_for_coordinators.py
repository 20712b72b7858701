"""An enquiry sent before any coordinator has the app: the bot cannot reach them yet, says so in its log, and
delivers each coordinator's card as soon as they install the app, or write to the bot, without a restart.

A demo of its own: the shared one may already know the coordinators' chats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.demo_people import DEMO_PEOPLE
from tests.e2e.conftest import connect, running_demo
from tests.e2e.enquiring import send_enquiry
from tests.e2e.playground import (
    PlaygroundClient,
    RunningDemo,
    card_text,
    playground_as,
    said,
)

pytestmark = pytest.mark.e2e

PEOPLE = {person.name: person for person in DEMO_PEOPLE}
QUESTION = "Could PERM4 run online for our team in the spring?"
LOG_WAIT = 60.0  # seconds for the dispatcher to try and log (a bound, not a timing assertion)


@pytest.fixture(scope="module")
def fresh_demo(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with running_demo(tmp_path_factory.mktemp("demo-waiting")) as demo:
        yield demo


async def _as(
    name: str, label: str, demo: RunningDemo, workdirs: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    with playground_as(workdirs, name, label, demo.endpoint) as running:
        async for client in connect(running):
            yield client


@pytest.fixture
async def alex(fresh_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Alex Wilber", "waiting-alex", fresh_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def adele(fresh_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Adele Vance", "waiting-adele", fresh_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def patti(fresh_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Patti Fernandez", "waiting-patti", fresh_demo, tmp_path_factory):
        yield client


def is_card_for(reference: str):  # type: ignore[no-untyped-def]
    return lambda m: bool(m["message"].get("attachments")) and reference in card_text(m)


async def test_an_enquiry_sent_before_the_coordinators_installed_the_app_reaches_them_once_they_do(
    fresh_demo: RunningDemo, alex: PlaygroundClient, adele: PlaygroundClient, patti: PlaygroundClient
) -> None:
    chat = alex.playground.chats.personal
    await alex.install(chat)
    await alex.replies_until(chat, lambda m: said(m).startswith("Welcome"))
    reference = await send_enquiry(alex, QUESTION)

    # One card for each coordinator, each given up for want of a chat, with the reason in the bot's log.
    waiting = {PEOPLE[name].aad_object_id for name in ("Adele Vance", "Patti Fernandez")}
    given_up = rf"notification \d+ \(enquiries\.card to person:({'|'.join(waiting)})\) is undeliverable: \S.+"
    while waiting:
        logged = await asyncio.to_thread(fresh_demo.process.wait_for_line, given_up, LOG_WAIT)
        waiting.discard(logged.group(1))

    own = adele.playground.chats.personal
    await adele.install(own)  # what Teams does when she adds the app
    delivered = await adele.replies_until(own, is_card_for(reference))
    assert QUESTION in card_text(delivered[-1])

    own = patti.playground.chats.personal
    await patti.say(own, "help")  # no install event reached the bot: she just writes to it
    delivered = await patti.replies_until(own, is_card_for(reference))
    assert QUESTION in card_text(delivered[-1])
