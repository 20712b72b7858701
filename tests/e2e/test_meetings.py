"""A live session in Microsoft's Teams emulator: Alex and Lynne enrol on PERMPLAN-1 (one session); Adele moves it to
start in a few minutes; Megan (its trainer) links her group chat to the run. Teams' meeting events are sent into
that chat as custom activities, which the Playground forwards to the bot verbatim (it raises none itself): the
meeting starts (the chat gets the start card), Alex and Lynne join, Lynne leaves early, the meeting ends. Megan's
1:1 chat then gets the session summary: Alex attended, Lynne partly; and ``attendance PERMPLAN-1`` shows Alex
completed the course. Alex's certificate of attendance then reaches his 1:1 chat: he downloads the PDF (read back
here: it names him and the course) and Lynne checks its code.

The events carry Teams' shape (tests/fixtures/teams-meeting-events) with times around now: the meeting started
half an hour ago, Lynne left after five minutes. The Playground forwards each custom activity on its own, so
before the end is sent the test waits until the register (``attendance PERMPLAN-1 1``) shows both joins and the
leave."""

from __future__ import annotations

import copy
import io
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.demo_people import DEMO_PEOPLE
from tests.e2e.conftest import connect, running_demo
from tests.e2e.playground import (
    PlaygroundClient,
    RunningDemo,
    actions,
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
EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "teams-meeting-events"
PEOPLE = {person.name: person for person in DEMO_PEOPLE}
RUN = "PERMPLAN-1"
COURSE_TITLE = "Permanence Planning"
MEETING_ID = "MCMxOTplMmUtbWVldGluZ3MtbWVnYW4tZ3JvdXBAdGhyZWFkLnYyIzA="
DELIVERY_WAIT = 60.0


@pytest.fixture(scope="module")
def meetings_demo(playground_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with running_demo(tmp_path_factory.mktemp("demo-meetings")) as demo:
        yield demo


async def _as(
    name: str, label: str, demo: RunningDemo, workdirs: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    with playground_as(workdirs, name, label, demo.endpoint) as running:
        async for client in connect(running):
            yield client


@pytest.fixture
async def megan(
    meetings_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Megan Bowen", "meet-megan", meetings_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def alex(meetings_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Alex Wilber", "meet-alex", meetings_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def lynne(
    meetings_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Lynne Robbins", "meet-lynne", meetings_demo, tmp_path_factory):
        yield client


@pytest.fixture
async def adele(
    meetings_demo: RunningDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PlaygroundClient]:
    async for client in _as("Adele Vance", "meet-adele", meetings_demo, tmp_path_factory):
        yield client


async def _enrol(client: PlaygroundClient) -> None:
    chat = client.playground.chats.personal
    await client.install(chat)
    await client.replies_until(chat, lambda m: said(m).startswith("Welcome"))
    await client.say(chat, f"enrol {RUN}")
    seen = []
    for _ in range(4):
        message = await client.reply(chat, within=DELIVERY_WAIT)
        seen.append(said(message)[:120])
        if said(message).startswith("You're enrolled"):
            return
        if message["message"].get("attachments"):
            titles = [str(a.get("title")) for a in actions(card(message))]
            attend = [t for t in titles if t.startswith(("I can attend", "Confirm my place"))]
            if attend:
                await client.press(chat, message, attend[0])
    raise AssertionError(f"not enrolled on {RUN}: {seen}")


def _starting_in_a_few_minutes() -> tuple[datetime, datetime]:
    start = (datetime.now(LONDON) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    # A session is one date: late in the evening it ends by midnight, shorter than an hour. (Moving its start back
    # to 22:00, as this did, put it in the past after 22:00, and the move was refused.)
    return start, min(start + timedelta(hours=1), start.replace(hour=23, minute=59))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _send_event(megan: PlaygroundClient, name: str, at: datetime, value: dict[str, Any]) -> None:
    """A Teams meeting event in Megan's group chat, through the Playground's custom activities."""
    chat = megan.playground.chats.group
    async with megan.session.get(
        f"{megan.base_url}/_internal/v1/customActivities/template", params={"conversationId": chat}
    ) as response:
        assert response.status == 200, await response.text()
        template = await response.json(content_type=None)
    recorded = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    body = {
        **template,
        "type": "event",
        "name": recorded["name"],
        "id": str(uuid.uuid4()),
        "timestamp": _iso(at),
        "channelData": {**(template.get("channelData") or {}), "meeting": {"id": MEETING_ID}},
        "value": value,
    }
    async with megan.session.post(f"{megan.base_url}/_internal/v1/customActivities", json=body) as response:
        assert response.status == 200, await response.text()


def _member(name: str) -> dict[str, Any]:
    person = PEOPLE[name]
    return {
        "user": {"id": person.playground_user_id, "name": person.name, "aadObjectId": person.aad_object_id},
        "meeting": {"role": "Attendee", "inMeeting": True},
    }


async def test_megan_gets_the_summary_alex_attended_lynne_partly(
    megan: PlaygroundClient,
    alex: PlaygroundClient,
    lynne: PlaygroundClient,
    adele: PlaygroundClient,
) -> None:
    await _enrol(alex)
    await _enrol(lynne)
    start, end = _starting_in_a_few_minutes()
    adeles_chat = adele.playground.chats.personal
    await adele.say(adeles_chat, f"reschedule {RUN} 1 {start:%d/%m/%Y} {start:%H:%M}-{end:%H:%M}")
    moved = await adele.execute(adeles_chat, await adele.reply(adeles_chat), "Move it and tell them")
    assert str(moved["value"]["fallbackText"]).startswith(f"Moved: {RUN}")

    personal, group = megan.playground.chats.personal, megan.playground.chats.group
    await megan.install(personal)
    await megan.replies_until(personal, lambda m: said(m).startswith("Welcome"))
    await megan.install(group)
    await megan.replies_until(group, lambda m: said(m).startswith("Welcome"))
    await megan.say(group, f"link {RUN}", mention=True)
    assert f"This chat is linked to **{RUN}**" in text(await megan.reply(group))

    opened = datetime.now(UTC) - timedelta(minutes=30)
    await _send_event(
        megan, "meeting-start", opened, {"MeetingType": "Scheduled", "Title": RUN, "StartTime": _iso(opened)}
    )
    started = await megan.replies_until(group, lambda m: "has started" in said(m))
    assert card_text(started[-1]).startswith("Session 1 of 1 has started")

    joined = {"members": [_member("Alex Wilber"), _member("Lynne Robbins")]}
    await _send_event(megan, "meeting-participant-join", opened, joined)
    left = {"members": [{**_member("Lynne Robbins"), "meeting": {"role": "Attendee", "inMeeting": False}}]}
    await _send_event(megan, "meeting-participant-leave", opened + timedelta(minutes=5), left)

    # The register so far (the meeting is live: half an hour): both joined, Lynne left after five minutes.
    for _ in range(20):
        await megan.say(personal, f"attendance {RUN} 1")
        register = card_text((await megan.replies_until(personal, lambda m: "Register" in said(m)))[-1])
        if "Measured: attended" in register and "Measured: partly, 5m" in register:
            break
    else:
        raise AssertionError(f"the joins and the leave never reached the register: {register}")

    closed = datetime.now(UTC)
    await _send_event(megan, "meeting-end", closed, {"MeetingType": "Scheduled", "Title": RUN, "EndTime": _iso(closed)})
    summary = card_text((await megan.replies_until(personal, lambda m: "has ended" in said(m), at_most=10))[-1])
    assert summary.startswith("Session 1 of 1 has ended")
    assert "1 attended, 1 partly, 0 absent" in summary
    assert re.search(r"Attended · \d+m\nAlex Wilber", summary)  # half an hour and however long the test took
    assert "Partly · 5m\nLynne Robbins" in summary

    await megan.say(personal, f"attendance {RUN}")
    report = card_text((await megan.replies_until(personal, lambda m: "Attendance ·" in said(m)))[-1])
    assert "Completed\nAlex Wilber · 1: attended" in report
    assert "Not yet\nLynne Robbins · 1: partly" in report

    # Alex completed, so his certificate of attendance waits in his 1:1 chat; its PDF names him and the course.
    chat = alex.playground.chats.personal
    congratulations = (await alex.replies_until(chat, lambda m: "Congratulations!" in said(m), at_most=20))[-1]
    code = dict(facts(card(congratulations)))["Verification code"]
    await alex.press(chat, congratulations, "Download certificate (PDF)")
    mine = (await alex.replies_until(chat, lambda m: said(m).startswith("Your certificates")))[-1]
    async with alex.session.get(button(mine, f"Download {RUN} (PDF)")["url"]) as response:
        assert response.status == 200 and response.content_type == "application/pdf"
        pdf = PdfReader(io.BytesIO(await response.read()))
    words = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Alex Wilber" in words and COURSE_TITLE in words and code in words

    # Anyone can check the code: Lynne is told whose certificate it is and for which course, nothing more.
    lynnes_chat = lynne.playground.chats.personal
    await lynne.say(lynnes_chat, f"certificate {code}")
    verified = card_text((await lynne.replies_until(lynnes_chat, lambda m: "certificate" in said(m).lower()))[-1])
    assert verified.startswith("Valid certificate of attendance") and "Alex Wilber" in verified
