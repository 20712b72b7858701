"""Enrolment over real HTTP: enrol in a Teams chat, follow the confirmation card's "Add to calendar" link to the
bot's calendar route, and the outbox notifications rendered as the dispatcher will send them."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from bot.app import create_app
from bot.assembly import build_renderers
from bot.delivery.renderers import RenderError
from bot.features import FEATURES
from bot.settings import Settings
from classroom.enrolment import notices
from classroom.enrolment.service import EnrolmentService
from dialogs.registry import FeatureRegistry
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.enrolment import BHCC, LONDON, MULTI, MULTI_RUN, add_person, load_world, london, outbox, world

ALEX = "00000000-0000-0000-0000-0000000000020"  # the sender of the captured personal-message activity


@pytest.fixture
async def client(db_url, clock) -> AsyncIterator[TestClient]:
    """The real app, calendar route included."""
    app = create_app(Settings(database_url=db_url), clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture
async def enrolled_world(session_factory) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, "Alex Wilber", BHCC)


def _card(body: dict) -> dict:
    return body["attachments"][0]["content"]


def _calendar_path(card: dict) -> str:
    [url] = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl" and a["title"] == "Add to calendar"]
    return urlsplit(url).path


async def test_enrol_in_chat_then_download_the_calendar(client, activity, connector, enrolled_world) -> None:
    await client.post("/api/messages", json=activity("personal-message", text=f"enrol {MULTI}"))
    [terms] = connector.bodies()
    assert "Enrol on Permanence in four sessions" in _card(terms)["fallbackText"]
    buttons = {a["title"]: a for a in _card(terms)["actions"]}
    assert list(buttons) == ["I can attend every date", "I have a clash", "No thanks"]

    # The button pressed in Teams: an Action.Execute invoke. Its answer replaces the question card; the dialog
    # goes on, and the confirmation reaches the chat through the connector during the invoke's turn.
    every_date = buttons["I can attend every date"]
    invoke = activity("card-action-execute-invoke")
    invoke["value"] = {"action": {k: every_date[k] for k in ("type", "title", "verb", "data")}}
    response = await client.post("/api/messages", json=invoke)
    assert response.status == 200
    answer = await response.json()
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Your answer: I can attend every date" in answer["value"]["fallbackText"]
    # (The evaluation's "before" survey may reach the chat through the outbox meanwhile: a message of its own.)
    [_terms, confirmation] = [b for b in connector.bodies() if not _card(b)["fallbackText"].startswith("Before ")]
    assert "You're enrolled" in _card(confirmation)["fallbackText"]

    response = await client.get(_calendar_path(_card(confirmation)))
    assert response.status == 200
    assert response.content_type == "text/calendar"
    assert response.headers["Content-Disposition"] == 'attachment; filename="PERMX-A.ics"'
    assert response.headers["Cache-Control"] == "no-store"
    events = Calendar.from_ical(await response.read()).walk("VEVENT")
    starts = sorted(e.decoded("DTSTART") for e in events)
    assert starts == [london(FIRST_DAY + timedelta(weeks=i), time(10)) for i in range(4)]


async def test_unknown_guessed_and_expired_links_are_404(client, session_factory, clock, enrolled_world) -> None:
    service = EnrolmentService(session_factory, clock)
    await service.enrol(ALEX, MULTI_RUN)
    link = await service.issue_calendar_link(ALEX, MULTI_RUN)
    assert (await client.get(f"/calendar/{link.token}.ics")).status == 200
    for path in (f"/calendar/{secrets.token_urlsafe(32)}.ics", "/calendar/short.ics", f"/calendar/{link.token}"):
        response = await client.get(path)
        assert response.status == 404, path
        assert "BEGIN:VCALENDAR" not in await response.text()
    clock.set(link.expires_at)
    response = await client.get(f"/calendar/{link.token}.ics")
    assert response.status == 404 and "expired or does not exist" in await response.text()


async def test_notifications_render_as_cards_with_local_times(session_factory, clock) -> None:
    # A session in summer time, reminded from winter time: the card shows BST, the time people will see.
    await load_world(session_factory, world(datetime(2027, 3, 29, tzinfo=UTC).date()))
    await add_person(session_factory, ALEX, "Alex Wilber", BHCC)
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    await EnrolmentService(session_factory, clock).enrol(ALEX, MULTI_RUN)
    registry = build_renderers(FeatureRegistry(FEATURES), LONDON)
    assert {
        notices.REMINDER,
        notices.TRAINER_REMINDER,
        notices.CLASH_REVIEW,
        notices.CLASH_DECISION,
        notices.WAITLIST_OFFER,
        notices.OFFER_LAPSED,
        notices.SESSION_MOVED,
    } <= registry.kinds

    reminders = await outbox(session_factory, notices.REMINDER)
    week_before = next(r for r in reminders if r.payload["offset_seconds"] == 7 * 86400)
    activity = registry.render(week_before.kind, week_before.payload)
    card = _card(activity)
    assert activity["type"] == "message" and activity["summary"].startswith("Reminder:")
    assert "Session 1 of 4 of Permanence in four sessions starts in 7 days" in card["fallbackText"]
    assert "When: Monday 29 March 2027, 10:00–15:00 BST" in card["fallbackText"]
    assert "To prepare: Microsoft Teams, online learning session" in card["fallbackText"]
    assert {"type": "Action.OpenUrl", "title": "Join the session", "url": week_before.payload["run"]["join_url"]} in (
        card["actions"]
    )
    with pytest.raises(RenderError):
        registry.render(notices.REMINDER, {"run": {"course_code": "X"}})  # a broken payload is a dead row
