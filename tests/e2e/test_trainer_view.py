"""The trainer's view in Microsoft's Teams emulator: Megan Bowen, the demo's trainer, is linked to the demo runs,
so when Alex reports a clash on PERM4 the review card goes to her (not to the coordinators); she decides it from
the card, and Alex is told. She sees the run's roster too.

A demo of its own, so that Alex holds no place on PERM4 from another test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.demo_people import DEMO_PEOPLE
from tests.e2e.conftest import connect, running_demo
from tests.e2e.playground import PlaygroundClient, RunningDemo, card, card_text, playground_as, said
from tests.support.cards import elements

pytestmark = pytest.mark.e2e

PEOPLE = {person.name: person for person in DEMO_PEOPLE}
DELIVERY_WAIT = 60.0  # a bound for the outbox to deliver the review card (it is woken on enqueue)


@pytest.fixture(scope="module")
def trainer_demo(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with running_demo(tmp_path_factory.mktemp("demo-trainer")) as demo:
        yield demo


async def _as(
    name: str, label: str, demo: RunningDemo, workdirs: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    with playground_as(workdirs, name, label, demo.endpoint) as running:
        async for client in connect(running):
            yield client


@pytest.fixture
async def alex(trainer_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Alex Wilber", "trainer-alex", trainer_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def megan(trainer_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Megan Bowen", "trainer-megan", trainer_demo, tmp_path_factory):
        yield client


async def test_megan_decides_a_clash_from_her_card_and_the_participant_is_told(
    alex: PlaygroundClient, megan: PlaygroundClient
) -> None:
    megans_chat, alexs_chat = megan.playground.chats.personal, alex.playground.chats.personal
    await megan.install(megans_chat)  # the bot can reach her once Teams has told it about her chat
    welcome = await megan.replies_until(megans_chat, lambda m: said(m).startswith("Welcome"))
    assert "As a trainer" in said(welcome[-1])
    await alex.install(alexs_chat)
    await alex.replies_until(alexs_chat, lambda m: said(m).startswith("Welcome"))

    # Alex can't make the second session of PERM4, and says why.
    await alex.say(alexs_chat, "enrol PERM4")
    terms = await alex.reply(alexs_chat)
    assert card_text(terms).startswith("Enrol on Permanence")
    await alex.press(alexs_chat, terms, "I have a clash")
    which = await alex.replies_until(alexs_chat, lambda m: "Which sessions can't you attend?" in said(m))
    [boxes] = elements(card(which[-1]), lambda e: e.get("type") == "Input.ChoiceSet")
    await alex.press(alexs_chat, which[-1], "Send", inputs={boxes["id"]: "2"})
    await alex.replies_until(alexs_chat, lambda m: "What is the clash?" in said(m))
    await alex.say(alexs_chat, "A court hearing")
    held = await alex.replies_until(alexs_chat, lambda m: "Your place is waiting for the trainers" in said(m))
    assert "Session 2 of 4" in said(held[-1])

    # The review card reaches Megan, the run's linked trainer, in her own chat.
    review = await megan.reply(megans_chat, within=DELIVERY_WAIT)
    words = card_text(review)
    assert words.startswith("Clash to review: Permanence"), words
    assert "Alex Wilber" in words and "A court hearing" in words and "Session 2 of 4" in words

    answer = await megan.execute(megans_chat, review, "Accept")  # the card's own button, answered in place
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    decided = str(answer["value"]["fallbackText"])
    assert decided.startswith("Accepted: Alex Wilber's place on PERM4-A is confirmed.")
    assert "Accepted by Megan Bowen" in decided

    told = await alex.replies_until(alexs_chat, lambda m: said(m).startswith("You're enrolled"), at_most=3)
    assert "Permanence" in said(told[-1])

    # Her roster of the run shows Alex holding a place, with the session they will miss.
    await megan.say(megans_chat, "roster PERM4-A")
    rosters = await megan.replies_until(megans_chat, lambda m: said(m).startswith("Roster"))
    roster = card_text(rosters[-1])
    assert "Alex Wilber (Brighton & Hove City Council), missing session 2" in roster, roster


@pytest.fixture
async def patti(trainer_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Patti Fernandez", "trainer-patti", trainer_demo, tmp_path_factory):
        yield client


async def test_an_admin_grants_a_role_by_mention_in_a_group_chat(patti: PlaygroundClient) -> None:
    """Patti (the demo's admin) @mentions Lynne in the course team's chat: the bot finds who Lynne is from Teams'
    member record of the mention, asks Patti to confirm on a card, and records the change."""
    chat = patti.playground.chats.group
    await patti.install(chat)
    await patti.replies_until(chat, lambda m: bool(said(m)))
    lynne = PEOPLE["Lynne Robbins"]

    await patti.say(chat, f"grant <at>{lynne.name}</at> trainer", mention=True, people=(lynne,))
    question = await patti.replies_until(chat, lambda m: said(m).startswith("Grant the trainer role?"))
    answer = await patti.execute(chat, question[-1], "Give the trainer role")
    assert str(answer["value"]["fallbackText"]).startswith("Granted: trainer"), answer

    await patti.say(chat, "roles", mention=True)
    roles = card_text(await patti.reply(chat))
    assert "Trainers (2)\\nLynne Robbins, Megan Bowen" in roles.replace("\n", "\\n"), roles
    await patti.say(chat, "roles history", mention=True)
    history = card_text(await patti.reply(chat))
    assert "Patti Fernandez granted trainer: Lynne Robbins" in history, history
