"""Course evaluation in Microsoft's Teams emulator: Alex and Isaiah take places on PERMPLAN-1 (a one-day course
with four learning outcomes); each gets the "before" survey in their 1:1 chat and answers it; Adele moves the day to
end in a few minutes; when it ends each gets the "after" survey and answers it; Megan, the run's trainer, types
``evaluation PERMPLAN-1`` while the "after" survey is still open (for 14 days, so the demo cannot wait for it) and
sees that two answered before and two after and when the figures are published, and no figure, word or name. The
figures themselves, once it has closed, are shown by the service and dialog tests (with a clock past the close)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dialogs.cards.formatting import short_time
from tests.e2e.conftest import connect, running_demo
from tests.e2e.playground import PlaygroundClient, RunningDemo, card, card_text, playground_as, said

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")
RUN = "PERMPLAN-1"
SURVEY_WAIT = 300.0  # the day ends 2-3 minutes after the move; the dispatcher ticks every 5 s


@pytest.fixture(scope="module")
def evaluation_demo(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with running_demo(tmp_path_factory.mktemp("demo-evaluation")) as demo:
        yield demo


async def _as(
    name: str, label: str, demo: RunningDemo, workdirs: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    with playground_as(workdirs, name, label, demo.endpoint) as running:
        async for client in connect(running):
            yield client


@pytest.fixture
async def alex(
    evaluation_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Alex Wilber", "evaluate-alex", evaluation_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def isaiah(
    evaluation_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Isaiah Langer", "evaluate-isaiah", evaluation_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def adele(
    evaluation_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Adele Vance", "evaluate-adele", evaluation_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def megan(
    evaluation_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Megan Bowen", "evaluate-megan", evaluation_demo, tmp_path_factory):
        yield client


def _ending_in_a_few_minutes() -> tuple[datetime, datetime]:
    start = (datetime.now(LONDON) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    if start.hour == 23 and start.minute >= 57:  # a session is one date: keep it on today's
        start = start.replace(hour=23, minute=57)
    return start, start + timedelta(minutes=1)


def _ratings(survey: dict[str, Any], now: int, then: int | None = None) -> dict[str, str]:
    """Every confidence list on the survey card filled in: "now" items with ``now``, then-test items with ``then``."""
    inputs = [e for e in card(survey)["body"] if e.get("type") == "Input.ChoiceSet"]
    filled = {e["id"]: str(now) for e in inputs if e["id"].startswith("rating-")}
    if then is not None:
        filled |= {e["id"]: str(then) for e in inputs if e["id"].startswith("then-")}
    return filled


async def _enrol_and_answer_before(person: PlaygroundClient, rating: int) -> None:
    chat = person.playground.chats.personal
    await person.install(chat)
    await person.replies_until(chat, lambda m: said(m).startswith("Welcome"))
    await person.say(chat, f"enrol {RUN}")
    question = await person.reply(chat)
    await person.press(chat, question, "Confirm my place")
    survey = (await person.replies_until(chat, lambda m: said(m).startswith("Before Permanence Planning")))[-1]
    assert "How confident are you that you can understand the developments" in card_text(survey)
    filled = _ratings(survey, rating)
    assert len(filled) == 4  # one per learning outcome of the course
    answered = await person.execute(chat, survey, "Send my answers", filled)
    assert "your answers are saved" in str(answered["value"]["fallbackText"])


async def _answer_after(person: PlaygroundClient, now: int, then: int) -> None:
    chat = person.playground.chats.personal
    survey = await person.reply(chat, within=SURVEY_WAIT)
    while "how confident are you now?" not in said(survey):  # a notice of the move may come first
        survey = await person.reply(chat, within=SURVEY_WAIT)
    assert "Thinking back to before the course" in card_text(survey)
    inputs = {**_ratings(survey, now, then), "relevance": "5", "pace": "about_right", "change": "More case law"}
    answered = await person.execute(chat, survey, "Send my answers", inputs)
    assert "your answers are saved" in str(answered["value"]["fallbackText"])


async def test_two_participants_answer_and_the_trainer_sees_only_how_many_until_the_survey_closes(
    alex: PlaygroundClient, isaiah: PlaygroundClient, adele: PlaygroundClient, megan: PlaygroundClient
) -> None:
    await _enrol_and_answer_before(alex, 2)
    await _enrol_and_answer_before(isaiah, 3)

    start, end = _ending_in_a_few_minutes()
    adeles_chat = adele.playground.chats.personal
    await adele.say(adeles_chat, f"reschedule {RUN} 1 {start:%d/%m/%Y} {start:%H:%M}-{end:%H:%M}")
    confirmation = await adele.reply(adeles_chat)
    moved = await adele.execute(adeles_chat, confirmation, "Move it and tell them")
    assert str(moved["value"]["fallbackText"]).startswith(f"Moved: {RUN}")

    await _answer_after(alex, 4, 1)
    await _answer_after(isaiah, 4, 2)

    megans_chat = megan.playground.chats.personal
    await megan.install(megans_chat)
    await megan.replies_until(megans_chat, lambda m: said(m).startswith("Welcome"))
    await megan.say(megans_chat, f"evaluation {RUN}")
    report = (await megan.replies_until(megans_chat, lambda m: said(m).startswith("Evaluation:")))[-1]
    words = card_text(report)
    assert "answered before: 2 · answered after: 2" in words
    closes = end.astimezone(UTC) + timedelta(days=14)  # EVALUATION_AFTER_DAYS after the last session ends
    assert f"Figures are published on {short_time(closes, LONDON)}" in words
    assert "n = " not in words and "Before vs after" not in words and "Satisfaction" not in words
    assert "Alex" not in words and "Isaiah" not in words and "More case law" not in words
