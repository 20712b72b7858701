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
    text,
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


def _reschedule(start: datetime, end: datetime) -> str:
    return f"reschedule PERM4-A 4 {start:%Y-%m-%d} {start:%H:%M}-{end:%H:%M}"


async def _move(adele: PlaygroundClient, start: datetime, end: datetime) -> str:
    chat = adele.playground.chats.personal
    await adele.say(chat, _reschedule(start, end))
    return text(await adele.reply(chat))


async def test_enrol_on_the_four_session_course_then_a_reminder_arrives(
    alex: PlaygroundClient, adele: PlaygroundClient
) -> None:
    chat = alex.playground.chats.personal
    await alex.install(chat)  # reminders reach Alex through the chat Teams told the bot about
    await alex.replies_until(chat, lambda m: said(m).startswith("Welcome"))

    await alex.say(chat, "enrol PERM4")
    terms = card_text(await alex.reply(chat))
    assert terms.startswith("Enrol on Permanence – What does it Mean for Children and Young People")
    assert [number for number, _day, _zone in SESSION.findall(terms)] == ["1", "2", "3", "4"]
    assert "Price: £320.00 per place (Tier 1, the band of Brighton & Hove City Council)" in terms
    assert "You will need: Microsoft Teams, online learning session" in terms

    await alex.say(chat, "I can attend every date")  # what the suggested reply sends
    confirmation = await alex.reply(chat)
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
    start = (datetime.now(LONDON) + timedelta(minutes=62)).replace(second=0, microsecond=0)
    moved = await _move(adele, start, start + timedelta(hours=1))
    assert "Session 4 of PERM4-A moved" in moved and "told 1 person" in moved
    try:
        notice = card_text(await alex.reply(chat))
        assert notice.startswith("Date change: Permanence") and f"{start:%H:%M}" in notice

        reminder = await alex.reply(chat, within=REMINDER_WAIT)
        words = card_text(reminder)
        assert words.startswith("Reminder: Session 4 of 4 of Permanence")
        assert f"{start:%H:%M}–{start + timedelta(hours=1):%H:%M}" in words
        assert button(reminder, "Join the session")["url"] == join_link
    finally:
        back = await _move(adele, *original)  # leave the demo as the other tests expect it
        assert "moved" in back
        await alex.replies_until(chat, lambda m: said(m).startswith("Date change"))
