"""Meeting events over real HTTP, in the shape Teams sends them (tests/fixtures/teams-meeting-events): the start
card in the meeting chat, joins and leaves making the register (a redelivery and a replay counting once), the end
sending the trainer's summary to their 1:1 chat, a channel meeting, and odd payloads answered 200 and ignored."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import RUNTIME
from storage.models import AttendanceEvent, MeetingSession
from tests.support.enrolment import TRAINER_AAD, add_person
from tests.support.meetings import LYNNE, enrol, session_times
from tests.support.polls import ALEX, ISAIAH, load_poll_world
from tests.support.teams_meetings import MEETING_CHAT, MEETING_ID, TENANT, participant

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "teams-meeting-events"
IN_MEETING = {"id": MEETING_CHAT, "conversationType": "groupChat", "isGroup": True, "tenantId": TENANT}
MEETING_DATA = {"tenant": {"id": TENANT}, "meeting": {"id": MEETING_ID}}
ZOE = {"id": "29:1zoe", "name": "Zoe Rosenfield", "aadObjectId": TRAINER_AAD}
DRAIN_BOUND = 60  # seconds: a safety net against a hang, not a timing assertion
START, END = session_times(1)


def event(connector, name: str, **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    body["serviceUrl"] = connector.url
    body["id"] = str(uuid.uuid4())
    body.update(changes)
    return body


def members(*people: tuple[str, str]) -> dict[str, Any]:
    return {"members": [participant(aad, name, "Attendee") for aad, name in people]}


async def _sent(client, connector, words: str) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """The cards with ``words`` once the outbox has sent one (its later rows, nudges days away, stay pending)."""
    dispatcher = client.server.app[RUNTIME].delivery.dispatcher
    dispatcher.wake()
    async with asyncio.timeout(DRAIN_BOUND):
        while True:
            seen = dispatcher.outcome_count
            if found := _cards(connector, words):
                return found
            await dispatcher.wait_for_outcome(seen)


async def _post(client, body: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/messages", json=body)
    assert response.status in (200, 201), await response.text()


async def _say(client, activity, who: dict[str, Any], words: str, *, private: bool = False) -> None:  # type: ignore[no-untyped-def]
    if private:
        conversation = {"id": f"a:{who['aadObjectId']}", "conversationType": "personal", "tenantId": TENANT}
        body = activity("personal-message", **{"from": who}, conversation=conversation, text=words)
    else:
        body = activity("groupchat-message-mention", **{"from": who}, conversation=IN_MEETING, channelData=MEETING_DATA)
        body["text"] = f"<at>Test Bot</at> {words}"
    await _post(client, body)


def _cards(connector, words: str) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    found = []
    for request in connector.requests:
        body = request["body"]
        for attachment in body.get("attachments") or []:
            if words in str(attachment.get("content", {}).get("fallbackText", "")):
                found.append((request["path"], attachment["content"]))
    return found


async def _events(session_factory) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(AttendanceEvent)) or 0)


@pytest.fixture
async def meeting(client, activity, connector, session_factory, clock):  # type: ignore[no-untyped-def]
    """PERMX-A's meeting chat linked by Zoe (its trainer, the organiser); Alex, Lynne and Isaiah hold places; Zoe
    has a 1:1 chat with the bot (where her summary goes)."""
    await load_poll_world(session_factory)
    await add_person(session_factory, LYNNE, "Lynne Robbins")
    for person in (ALEX, LYNNE, ISAIAH):
        await enrol(session_factory, person)
    connector.meetings.add(MEETING_ID, participant(TRAINER_AAD, "Zoe Rosenfield", "Organizer"))
    clock.set(START - timedelta(minutes=10))
    await _say(client, activity, ZOE, "link PERMX-A")
    await _say(client, activity, ZOE, "hi", private=True)
    return connector


def _at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


async def test_a_session_from_start_to_end_over_http(client, connector, meeting, session_factory, clock) -> None:
    clock.set(START)
    await _post(client, event(connector, "meeting-start", conversation=IN_MEETING))
    [(path, card)] = await _sent(client, connector, "Session 1 of 4 has started")
    assert MEETING_CHAT in path

    join = event(
        connector,
        "meeting-participant-join",
        conversation=IN_MEETING,
        timestamp=_at(1),
        value=members((ALEX, "Alex Wilber"), (LYNNE, "Lynne Robbins")),
    )
    await _post(client, join)
    await _post(client, join)  # Teams redelivers the same activity: ignored
    await _post(client, {**join, "id": str(uuid.uuid4())})  # the same join again under a new id: counted once
    assert await _events(session_factory) == 2
    await _post(
        client,
        event(
            connector,
            "meeting-participant-leave",
            conversation=IN_MEETING,
            timestamp=_at(60),
            value=members((LYNNE, "Lynne Robbins")),
        ),
    )
    clock.set(END)
    await _post(client, event(connector, "meeting-end", conversation=IN_MEETING, timestamp=_at(300)))
    [(path, summary)] = await _sent(client, connector, "Session 1 of 4 has ended")
    assert f"a:{TRAINER_AAD}" in path
    text = summary["fallbackText"]
    assert "1 attended, 1 partly, 1 absent" in text
    assert "Alex Wilber" in text and "Lynne Robbins" in text


async def test_a_channel_meeting_is_recorded_for_the_channels_run(
    client, connector, activity, session_factory, clock
) -> None:  # type: ignore[no-untyped-def]
    await load_poll_world(session_factory)
    channel = {
        "id": "19:permx-channel@thread.tacv2;messageid=1",
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": TENANT,
    }
    start = event(connector, "channel-meeting-start")
    body = activity("channel-message-mention", **{"from": ZOE}, conversation=channel, channelData=start["channelData"])
    body["text"] = "<at>Test Bot</at> link PERMX-A"
    connector.meetings.add(start["channelData"]["meeting"]["id"], participant(TRAINER_AAD, "Zoe", "Organizer"))
    clock.set(START)
    await _post(client, body)
    await _post(client, start)
    async with session_factory() as session:
        [recorded] = (await session.scalars(select(MeetingSession))).all()
    assert recorded.conversation_id == "19:permx-channel@thread.tacv2" and recorded.started_at is not None


ODD = {
    "no meeting id": {"channelData": {"tenant": {"id": TENANT}}},
    "meeting id not a string": {"channelData": {"tenant": {"id": TENANT}, "meeting": {"id": 42}}},
    "value not a dict": {"value": ["members"]},
    "members not a list": {"value": {"members": {"user": {"aadObjectId": ALEX}}}},
    "member without a user": {"value": {"members": [{"meeting": {"role": "Attendee"}}]}},
    "object id not a string": {"value": {"members": [{"user": {"aadObjectId": 7, "name": "Alex"}}]}},
    "object id far too long": {"value": {"members": [{"user": {"aadObjectId": "a" * 500, "name": "Alex"}}]}},
    "no value at all": {"value": None},
    "timestamp missing": {"timestamp": None, "value": {"members": []}},
}


@pytest.mark.parametrize("case", sorted(ODD))
async def test_odd_participant_events_are_answered_and_ignored(
    case: str, client, connector, meeting, session_factory, clock
) -> None:  # type: ignore[no-untyped-def]
    clock.set(START)
    body = event(connector, "meeting-participant-join", conversation=IN_MEETING, timestamp=_at(1))
    body.update(ODD[case])
    await _post(client, body)
    assert await _events(session_factory) == 0


async def test_a_start_with_odd_times_and_urls_falls_back_to_the_clock(
    client, connector, meeting, session_factory, clock
) -> None:  # type: ignore[no-untyped-def]
    clock.set(START + timedelta(minutes=3))
    body = event(connector, "meeting-start", conversation=IN_MEETING, timestamp=None)
    body["value"] = {"StartTime": "yesterday-ish", "JoinUrl": {"x": 1}, "Id": 5}
    await _post(client, body)
    async with session_factory() as session:
        [recorded] = (await session.scalars(select(MeetingSession))).all()
    assert recorded.started_at == START + timedelta(minutes=3)


# -- linking automatically when the bot is added to a meeting's chat -------------------------------------------


def _added(activity) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return activity(
        "conversation-update-members-added-groupchat",
        conversation=IN_MEETING,
        channelData=MEETING_DATA,
        **{"from": ZOE},
    )


async def _linked_run(session_factory) -> int | None:  # type: ignore[no-untyped-def]
    from storage.models import ChatRunLink

    async with session_factory() as session:
        link = await session.get(ChatRunLink, MEETING_CHAT)
        return link.run_id if link else None


async def test_added_to_a_meeting_whose_join_url_is_a_runs_the_chat_is_linked(
    client, activity, connector, session_factory, clock
) -> None:  # type: ignore[no-untyped-def]
    await load_poll_world(session_factory)
    clock.set(START - timedelta(days=1))
    connector.meetings.add_details(MEETING_ID, "https://teams.microsoft.com/l/meetup-join/test-permx", _at(0), _at(300))
    await _post(client, _added(activity))
    assert connector.meetings.details_asked == [MEETING_ID]  # GET /v1/meetings/{meetingId}, the documented call
    assert await _linked_run(session_factory) is not None
    words = " ".join(str(b.get("text")) for b in connector.bodies())
    assert "session 1 of 4" in words and "**PERMX-A**" in words


@pytest.mark.parametrize("teams", ["forbidden", "another meeting", "no such run time", "unreadable", "not https"])
async def test_when_teams_cannot_say_or_the_meeting_is_no_runs_nothing_is_linked(
    teams: str, client, activity, connector, session_factory, clock
) -> None:  # type: ignore[no-untyped-def]
    await load_poll_world(session_factory)
    clock.set(START - timedelta(days=1))
    url = "https://teams.microsoft.com/l/meetup-join/test-permx"
    if teams == "forbidden":
        connector.meetings.fail_next(403)
        connector.meetings.add_details(MEETING_ID, url, _at(0), _at(300))
    elif teams == "another meeting":
        connector.meetings.add_details(MEETING_ID, "https://teams.microsoft.com/l/meetup-join/other", _at(0), _at(300))
    elif teams == "no such run time":
        connector.meetings.add_details(MEETING_ID, url, _at(60 * 24 * 3), _at(60 * 24 * 3 + 300))
    elif teams == "unreadable":
        connector.meetings.add_details(MEETING_ID, url, _at(0), _at(300))
        connector.meetings.details[MEETING_ID]["details"] = ["not", "a", "dict"]
    else:
        connector.meetings.add_details(MEETING_ID, url.replace("https://", "http://"), _at(0), _at(300))
    await _post(client, _added(activity))
    assert await _linked_run(session_factory) is None


# -- the run's attendance as CSV, at an expiring link ---------------------------------------------------------


async def test_attendance_in_the_trainers_chat_links_to_a_csv_that_expires(
    client, activity, connector, meeting, session_factory, clock
) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import urlsplit

    clock.set(START)
    await _post(client, event(connector, "meeting-start", conversation=IN_MEETING))
    join = members((ALEX, "Alex Wilber"), (LYNNE, "Lynne Robbins"))
    await _post(
        client, event(connector, "meeting-participant-join", conversation=IN_MEETING, timestamp=_at(0), value=join)
    )
    clock.set(END)
    await _post(client, event(connector, "meeting-end", conversation=IN_MEETING, timestamp=_at(300)))
    await _say(client, activity, ZOE, "attendance PERMX-A", private=True)
    [(_path, report)] = _cards(connector, "Attendance · PERMX-A")
    [link] = [a["url"] for a in report["actions"] if a["type"] == "Action.OpenUrl"]
    path = urlsplit(link).path
    assert path.startswith("/exports/attendance/") and path.endswith(".csv")
    response = await client.get(path)
    assert response.status == 200 and response.content_type == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    content = await response.read()
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Participant,Session 1,Session 2,Session 3,Session 4,Completed"
    assert "Alex Wilber,attended,absent,absent,absent,no" in lines
    assert "Isaiah Langer,absent,absent,absent,absent,no" in lines
    clock.set(END + timedelta(hours=2))  # past ATTENDANCE_EXPORT_LINK_MINUTES (60)
    assert (await client.get(path)).status == 404
    assert (await client.get("/exports/attendance/" + "A" * 43 + ".csv")).status == 404
