"""Alex enrols on the four-session course in Microsoft's Teams emulator, gets the confirmation card with the
calendar download, and a reminder with the join link arrives in the chat when its time comes.

"When its time comes" without waiting days: Adele (the demo's coordinator, in her own Playground) moves the
fourth session to a little over an hour from now, so its 1-hour reminder falls due a minute or two later, which
is the shortened offset; then she moves it back, leaving the demo as it was for the other tests.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.demo_people import DEMO_PEOPLE
from classroom.demo.catalogue import demo_catalogue
from tests.e2e.conftest import connect
from tests.e2e.playground import (
    PlaygroundClient,
    RunningDemo,
    RunningPlayground,
    button,
    card,
    card_text,
    facts,
    playground_as,
    said,
    until_enrolled,
)

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")
ADELE = next(person for person in DEMO_PEOPLE if person.name == "Adele Vance")
SESSION = re.compile(r"Session (\d) of 4: (\w+day \d+ \w+ \d{4}), 10:00–15:00 (GMT|BST)")
REMINDER_WAIT = 240.0  # the reminder falls due 1-2 minutes after the move; the dispatcher ticks every 5 s


@pytest.fixture(scope="module")
def adeles_playground(demo_bot: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    with playground_as(tmp_path_factory, ADELE.name, "enrolment-adele", demo_bot.endpoint) as running:
        yield running


@pytest.fixture
async def adele(adeles_playground: RunningPlayground) -> AsyncIterator[PlaygroundClient]:
    async for client in connect(adeles_playground):
        yield client


def _fourth_session_today() -> tuple[datetime, datetime]:
    """Session 4 of PERM4-A as `classroom-bot demo` scheduled it today (local times)."""
    [run] = [run for _course, run in demo_catalogue(date.today()).runs() if run.code == "PERM4-A"]
    session = run.sessions[3]
    return session.starts_at.astimezone(LONDON), session.ends_at.astimezone(LONDON)


def _just_over_an_hour_from_now() -> tuple[datetime, datetime]:
    """A session starting 62 minutes from now (so its 1-hour reminder falls due in about two minutes), an hour
    long, or shorter so it ends on the day it starts (a session is one date and two times)."""
    start = (datetime.now(LONDON) + timedelta(minutes=62)).replace(second=0, microsecond=0)
    if (start.hour, start.minute) == (23, 59):
        start += timedelta(minutes=2)
    return start, min(start + timedelta(hours=1), start.replace(hour=23, minute=59))


def _reschedule(start: datetime, end: datetime) -> str:
    # As a UK coordinator writes it: "reschedule PERM4-A 4 19/04/2027 10:00-15:00".
    return f"reschedule PERM4-A 4 {start:%d/%m/%Y} {start:%H:%M}-{end:%H:%M}"


async def _move(adele: PlaygroundClient, start: datetime, end: datetime) -> str:
    """Adele asks, sees the confirmation card, and confirms; returns what replaced the card."""
    chat = adele.playground.chats.personal
    await adele.say(chat, _reschedule(start, end))
    confirmation = await adele.reply(chat)
    assert card_text(confirmation).startswith("Move session 4 of PERM4-A?")
    answer = await adele.execute(chat, confirmation, "Move it and tell them")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    return str(answer["value"]["fallbackText"])


async def test_enrol_on_the_four_session_course_then_a_reminder_arrives(
    alex: PlaygroundClient, adele: PlaygroundClient
) -> None:
    chat = alex.playground.chats.personal
    await alex.install(chat)  # reminders reach Alex through the chat Teams told the bot about
    await alex.replies_until(chat, lambda m: said(m).startswith("Welcome"))

    await alex.say(chat, "enrol PERM4")
    question = await alex.reply(chat)
    terms = card_text(question)
    assert terms.startswith("Enrol on Permanence – What does it Mean for Children and Young People")
    assert [number for number, _day, _zone in SESSION.findall(terms)] == ["1", "2", "3", "4"]
    assert "Price: £320.00 per place (Tier 1, the band of Brighton & Hove City Council)" in terms
    assert "You will need: Microsoft Teams, online learning session" in terms

    answered = await alex.press(chat, question, "I can attend every date")  # a button, not typed
    assert "Your answer: I can attend every date" in answered["value"]["fallbackText"]
    confirmation = await until_enrolled(alex, chat)  # the evaluation's "before" survey comes too
    confirmed = card_text(confirmation)
    assert confirmed.startswith("You're enrolled: Permanence")
    assert len(SESSION.findall(confirmed)) == 4
    assert "https://" not in dict(facts(card(confirmation)))["Join online"]  # a button, not the raw link
    join_link = button(confirmation, "Join the session")["url"]
    assert join_link.startswith("https://teams.microsoft.com/l/meetup-join/")

    calendar_url = button(confirmation, "Add to calendar")["url"]
    async with alex.session.get(calendar_url) as response:
        assert response.status == 200, await response.text()
        events = Calendar.from_ical(await response.read()).walk("VEVENT")
    assert len(events) == 4

    # The fourth session moves to just over an hour from now: its 1-hour reminder falls due shortly.
    original = _fourth_session_today()
    start, end = _just_over_an_hour_from_now()
    moved = await _move(adele, start, end)
    assert moved.startswith("Moved: session 4 of PERM4-A") and "I've told 1 participant" in moved
    try:
        notice = card_text(await alex.reply(chat))
        assert notice.startswith("Date change: Permanence") and f"{start:%H:%M}" in notice

        reminder = await alex.reply(chat, within=REMINDER_WAIT)
        words = card_text(reminder)
        assert words.startswith("Reminder: Session 4 of 4 of Permanence")
        assert f"{start:%H:%M}–{end:%H:%M}" in words
        assert button(reminder, "Join the session")["url"] == join_link
    finally:
        back = await _move(adele, *original)  # leave the demo as the other tests expect it
        assert back.startswith("Moved:")
        await alex.replies_until(chat, lambda m: said(m).startswith("Date change"))
