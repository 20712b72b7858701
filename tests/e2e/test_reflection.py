"""Reflection in Microsoft's Teams emulator: Alex is enrolled on PERM4; Adele moves its fourth session to end in a
few minutes; when it ends the prompt arrives in Alex's 1:1 chat; he answers, with a peer reflection; ``my cpd``
shows the entry and its Word download reads back with his answers under the form's headings; Megan, the run's
trainer, sees "1 of 1 reflected" and none of his words.

A demo of its own, run with no delay after a session's end (``REFLECTION_DELAY=0m``), whose key it makes itself
in its working folder, as ``classroom-bot demo`` does."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from tests.e2e.conftest import connect, running_demo
from tests.e2e.playground import PlaygroundClient, RunningDemo, button, card, card_text, playground_as, said

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")
PROMPT_WAIT = 300.0  # the session ends 2-3 minutes after the move; the dispatcher ticks every 5 s
ANSWERS = {
    "covered": "How to set out every realistic option for a child side by side",
    "learnt": "The court needs the analysis, not only the recommendation",
    "impact": "Clearer permanence reports for the children I work with",
    "try_first": "A balance sheet in my next report",
    "peer": "My supervisor showed me where my last report skipped an option",
}


@pytest.fixture(scope="module")
def reflection_demo(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with running_demo(tmp_path_factory.mktemp("demo-reflection"), {"REFLECTION_DELAY": "0m"}) as demo:
        yield demo


async def _as(
    name: str, label: str, demo: RunningDemo, workdirs: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    with playground_as(workdirs, name, label, demo.endpoint) as running:
        async for client in connect(running):
            yield client


@pytest.fixture
async def alex(
    reflection_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Alex Wilber", "reflect-alex", reflection_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def adele(
    reflection_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Adele Vance", "reflect-adele", reflection_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def megan(
    reflection_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Megan Bowen", "reflect-megan", reflection_demo, tmp_path_factory):
        yield client


def _ending_in_a_few_minutes() -> tuple[datetime, datetime]:
    start = (datetime.now(LONDON) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    if start.hour == 23 and start.minute >= 57:  # a session is one date: keep it on today's
        start = start.replace(hour=23, minute=57)
    return start, start + timedelta(minutes=1)


async def test_alex_reflects_after_a_session_and_megan_sees_only_the_count(
    alex: PlaygroundClient, adele: PlaygroundClient, megan: PlaygroundClient
) -> None:
    chat = alex.playground.chats.personal
    await alex.install(chat)
    await alex.replies_until(chat, lambda m: said(m).startswith("Welcome"))
    await alex.say(chat, "enrol PERM4")
    question = await alex.reply(chat)
    await alex.press(chat, question, "I can attend every date")
    await alex.replies_until(chat, lambda m: said(m).startswith("You're enrolled"), at_most=2)

    # Session 4 moves to end in a few minutes (Adele, a coordinator, confirms the move on its card).
    start, end = _ending_in_a_few_minutes()
    adeles_chat = adele.playground.chats.personal
    await adele.say(adeles_chat, f"reschedule PERM4-A 4 {start:%d/%m/%Y} {start:%H:%M}-{end:%H:%M}")
    confirmation = await adele.reply(adeles_chat)
    moved = await adele.execute(adeles_chat, confirmation, "Move it and tell them")
    assert str(moved["value"]["fallbackText"]).startswith("Moved: session 4 of PERM4-A")
    await alex.replies_until(chat, lambda m: said(m).startswith("Date change"))

    # The session ends: the prompt arrives in Alex's 1:1 chat (the 1-hour reminder before it may come first).
    prompt = await alex.reply(chat, within=PROMPT_WAIT)
    while not said(prompt).startswith("How was"):
        prompt = await alex.reply(chat, within=PROMPT_WAIT)
    assert card_text(prompt).startswith("How was session 4 of 4 of Permanence")
    outcomes = [e for e in card(prompt)["body"] if e.get("type") == "Input.ChoiceSet"]
    assert outcomes and len(outcomes[0]["choices"]) >= 3
    first_outcome = outcomes[0]["choices"][0]["value"]
    saved = await alex.execute(chat, prompt, "Save to my CPD log", {**ANSWERS, "outcomes": first_outcome})
    assert str(saved["value"]["fallbackText"]).startswith("Saved: your reflection on Permanence")

    await alex.say(chat, "my cpd")
    log = await alex.reply(chat)
    summary = card_text(log)
    assert "Entries this year: 1" in summary and "With peer reflection: 1" in summary
    async with alex.session.get(button(log, "Download Word")["url"]) as response:
        assert response.status == 200, await response.text()
        paragraphs = [p.text for p in Document(io.BytesIO(await response.read())).paragraphs]
    for heading, answer in (
        ("What you learnt", ANSWERS["learnt"]),
        ("What you learnt from discussing this CPD activity with a peer", ANSWERS["peer"]),
    ):
        assert paragraphs[paragraphs.index(heading) + 1] == answer
    impact = paragraphs[paragraphs.index("The positive impact on your practice and the people you work with") + 1]
    assert impact.startswith(ANSWERS["impact"]) and ANSWERS["try_first"] in impact

    megans_chat = megan.playground.chats.personal
    await megan.install(megans_chat)
    await megan.replies_until(megans_chat, lambda m: said(m).startswith("Welcome"))
    await megan.say(megans_chat, "reflections PERM4-A 4")
    # (The trainers' notice of the move, held until she opened the chat, may come first.)
    counts = said((await megan.replies_until(megans_chat, lambda m: "reflected" in said(m)))[-1])
    assert "1 of 1 reflected" in counts
    assert all(words not in counts for words in ANSWERS.values())
