"""Polls in a Teams meeting chat over real HTTP: launching and closing also need the meeting's Organizer or
Presenter role, asked of Teams (a faithful fake of its meeting participant API on the connector) every time;
when Teams cannot answer, a refusal that says why, or the stored roles alone with ``MEETING_ROLE_FALLBACK``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import RUNTIME
from tests.support.enrolment import TRAINER_AAD
from tests.support.polls import load_poll_world
from tests.support.teams_meetings import MEETING_CHAT, MEETING_ID, TENANT, participant

IN_MEETING = {"id": MEETING_CHAT, "conversationType": "groupChat", "isGroup": True, "tenantId": TENANT}
MEETING_DATA = {"tenant": {"id": TENANT}, "meeting": {"id": MEETING_ID}}
ZOE = {"id": "user-id-9", "name": "Zoe Rosenfield", "aadObjectId": TRAINER_AAD}
ALEX = {"id": "user-id-0", "name": "Alex Wilber", "aadObjectId": "aad-alex"}
QUESTION = "Which principle comes first?"
DRAIN_BOUND = 60  # seconds: a safety net against a hang, not a timing assertion


async def _delivered(client) -> None:  # type: ignore[no-untyped-def]
    dispatcher = client.server.app[RUNTIME].delivery.dispatcher
    dispatcher.wake()
    async with asyncio.timeout(DRAIN_BOUND):
        await dispatcher.drained()


async def _say(client, activity, who: dict[str, Any], words: str) -> None:  # type: ignore[no-untyped-def]
    body = activity("groupchat-message-mention", **{"from": who}, conversation=IN_MEETING, channelData=MEETING_DATA)
    body["text"] = f"<at>Test Bot</at> {words}"
    assert (await client.post("/api/messages", json=body)).status in (200, 201)


async def _press_close(client, activity, who: dict[str, Any], poll_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = activity("card-action-execute-invoke", **{"from": who}, conversation=IN_MEETING, channelData=MEETING_DATA)
    body["value"] = {"action": {"type": "Action.Execute", "verb": "poll.close", "data": {"poll": poll_id}}}
    response = await client.post("/api/messages", json=body)
    assert response.status == 200
    return await response.json()


def _poll_cards(connector) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [
        b["attachments"][0]["content"]
        for b in connector.bodies()
        if b.get("attachments") and QUESTION in b["attachments"][0]["content"].get("fallbackText", "")
    ]


def _last_words(connector) -> str:  # type: ignore[no-untyped-def]
    return str(connector.bodies()[-1].get("text"))


@pytest.fixture
async def meeting(client, activity, connector, session_factory):  # type: ignore[no-untyped-def]
    """PERMX-A's meeting chat, linked by Zoe (its trainer, a Presenter of the meeting); Alex attends."""
    await load_poll_world(session_factory)
    connector.meetings.add(
        MEETING_ID,
        participant(TRAINER_AAD, "Zoe Rosenfield", "Presenter"),
        participant("aad-alex", "Alex Wilber", "Attendee"),
    )
    await _say(client, activity, ZOE, "link PERMX-A")
    assert "linked to **PERMX-A**" in _last_words(connector)
    return connector.meetings


async def test_a_presenter_who_trains_the_run_launches_and_closes_teams_asked_each_time(
    client, activity, connector, meeting
) -> None:  # type: ignore[no-untyped-def]
    await _say(client, activity, ZOE, f"poll {QUESTION} | Presume capacity | Best interests")
    await _delivered(client)
    [card] = _poll_cards(connector)
    assert meeting.asked == [(MEETING_ID, TRAINER_AAD, TENANT)]

    poll_id = next(a["data"]["poll"] for i in card["body"] if i.get("type") == "ActionSet" for a in i["actions"])
    closed = await _press_close(client, activity, ZOE, poll_id)
    assert "You closed the poll." in closed["value"]["fallbackText"]
    assert meeting.asked == [(MEETING_ID, TRAINER_AAD, TENANT)] * 2  # asked again at the close: never cached


async def test_the_runs_trainer_as_an_attendee_is_refused_politely_and_nothing_is_posted(
    client, activity, connector, meeting
) -> None:  # type: ignore[no-untyped-def]
    meeting.set_role(MEETING_ID, TRAINER_AAD, "Attendee")
    await _say(client, activity, ZOE, f"poll {QUESTION} | Presume capacity | Best interests")
    await _delivered(client)
    assert "only its organizer and presenters can launch polls" in _last_words(connector)
    assert _poll_cards(connector) == []


async def test_a_presenter_with_no_stored_role_is_refused_by_the_stored_roles(
    client, activity, connector, meeting
) -> None:  # type: ignore[no-untyped-def]
    meeting.set_role(MEETING_ID, "aad-alex", "Presenter")
    await _say(client, activity, ALEX, f"poll {QUESTION} | Presume capacity | Best interests")
    await _delivered(client)
    assert _poll_cards(connector) == []
    assert "Sorry" in _last_words(connector)


async def test_an_attendee_cannot_close_and_the_poll_stays_open(client, activity, connector, meeting) -> None:  # type: ignore[no-untyped-def]
    await _say(client, activity, ZOE, f"poll {QUESTION} | Presume capacity | Best interests")
    await _delivered(client)
    [card] = _poll_cards(connector)
    poll_id = next(a["data"]["poll"] for i in card["body"] if i.get("type") == "ActionSet" for a in i["actions"])
    refused = await _press_close(client, activity, ALEX, poll_id)
    assert "only its organizer and presenters can close this poll" in refused["value"]
    assert not (await client.server.app[RUNTIME].services.polls.poll(poll_id)).closed


@pytest.mark.parametrize(
    ("status", "says"), [(403, "is the app added to the meeting"), (502, "could not say just now")]
)
async def test_when_teams_cannot_answer_the_launch_is_refused_saying_why(
    client, activity, connector, meeting, status, says
) -> None:  # type: ignore[no-untyped-def]
    meeting.fail_next(status)
    await _say(client, activity, ZOE, f"poll {QUESTION} | Presume capacity | Best interests")
    await _delivered(client)
    assert says in _last_words(connector) and "Nothing was changed" in _last_words(connector)
    assert _poll_cards(connector) == []


@pytest.fixture
async def fallback_client(app_factory):  # type: ignore[no-untyped-def]
    async with app_factory(meeting_role_fallback=True) as test_client:
        yield test_client


async def test_with_the_fallback_the_stored_roles_decide_when_teams_cannot_answer(
    fallback_client, activity, connector, session_factory
) -> None:  # type: ignore[no-untyped-def]
    await load_poll_world(session_factory)
    # The app was never added to this meeting: Teams answers 403 to every question.
    connector.meetings.add(MEETING_ID, participant(TRAINER_AAD, "Zoe Rosenfield", "Attendee"))
    connector.meetings.app_added.clear()
    await _say(fallback_client, activity, ZOE, "link PERMX-A")
    await _say(fallback_client, activity, ALEX, f"poll {QUESTION} | Presume capacity | Best interests")
    await _say(fallback_client, activity, ZOE, f"poll {QUESTION} | Presume capacity | Best interests")
    await _delivered(fallback_client)
    assert len(_poll_cards(connector)) == 1  # Zoe's: she trains the run; Alex was refused by the stored roles
    assert connector.meetings.asked == [(MEETING_ID, TRAINER_AAD, TENANT)]  # Alex: no stored role, Teams not asked


@pytest.mark.parametrize("meeting_id", [12345, "", "x" * 600, "bad\nid"])
async def test_a_meeting_id_that_is_no_id_is_refused_without_asking_teams(
    client, activity, connector, meeting, meeting_id
) -> None:  # type: ignore[no-untyped-def]
    body = activity(
        "groupchat-message-mention",
        **{"from": ZOE},
        conversation=IN_MEETING,
        channelData={"tenant": {"id": TENANT}, "meeting": {"id": meeting_id}},
    )
    body["text"] = f"<at>Test Bot</at> poll {QUESTION} | Presume capacity | Best interests"
    assert (await client.post("/api/messages", json=body)).status in (200, 201)
    await _delivered(client)
    assert "without a usable meeting or tenant id" in _last_words(connector)
    assert _poll_cards(connector) == [] and meeting.asked == []
