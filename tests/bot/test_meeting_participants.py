"""Someone's meeting role, asked of Teams on the bot's connector: the documented endpoint with the bot's token, and
every way Teams can fail to answer (403, 404, 5xx, no answer in time, an answer too large or that makes no sense)
turned into a reason, never into a role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from bot.connector import BotConnectorClient, EdgeCredentialsFactory, SessionHolder, TurnConnectorClient
from bot.meeting_participants import ConnectorMeetingParticipants
from dialogs.meeting_participants import MeetingRoleUnavailable
from tests.support.fake_identity_provider import FakeIdentityProvider
from tests.support.teams_meetings import MEETING_ID, TENANT, FakeMeetings, participant

APP_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "s3cret-value"
MEGAN = "aad-megan"


@pytest.fixture
async def idp() -> AsyncIterator[FakeIdentityProvider]:
    async with FakeIdentityProvider() as provider:
        provider.clients[APP_ID] = SECRET
        yield provider


@pytest.fixture
async def teams(idp: FakeIdentityProvider) -> AsyncIterator[tuple[FakeMeetings, str]]:
    meetings = FakeMeetings(authorize=idp.issued)
    meetings.add(
        MEETING_ID, participant(MEGAN, "Megan Bowen", "Presenter"), participant("aad-alex", "Alex Wilber", "Attendee")
    )
    app = web.Application()
    meetings.install(app, "/teams")
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield meetings, str(server.make_url("/teams"))
    await server.close()


@pytest.fixture
async def turn(idp: FakeIdentityProvider, teams: tuple[FakeMeetings, str]) -> AsyncIterator[TurnContext]:
    """A turn whose connector client is the bot's own (shared session, the bot's cached token)."""
    sessions = SessionHolder()
    credentials = EdgeCredentialsFactory(
        app_id=APP_ID, password=SECRET, login_endpoint=idp.login_url(), validate_authority=False, sessions=sessions
    )
    connector = BotConnectorClient(sessions, credentials)
    context = TurnContext(TestAdapter(), Activity(type="message", text="poll close 1"))
    context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY] = TurnConnectorClient(
        connector, teams[1], credentials.credentials(APP_ID), None
    )
    yield context
    await sessions.close()


async def _ask(turn: TurnContext, who: str = MEGAN, *, patience: float = 5.0) -> Any:
    return await ConnectorMeetingParticipants(timeout=patience).participant(turn, MEETING_ID, who, TENANT)


async def test_the_role_comes_from_the_documented_endpoint_asked_with_the_bots_token(teams, turn) -> None:  # type: ignore[no-untyped-def]
    meetings, _ = teams
    megan = await _ask(turn)
    alex = await _ask(turn, "aad-alex")
    assert (megan.role, megan.in_meeting, megan.runs_the_meeting) == ("Presenter", True, True)
    assert (alex.role, alex.runs_the_meeting) == ("Attendee", False)
    assert meetings.asked == [(MEETING_ID, MEGAN, TENANT), (MEETING_ID, "aad-alex", TENANT)]


async def test_every_question_asks_teams_again_so_a_changed_role_counts_at_once(teams, turn) -> None:  # type: ignore[no-untyped-def]
    meetings, _ = teams
    assert (await _ask(turn)).runs_the_meeting
    meetings.set_role(MEETING_ID, MEGAN, "Attendee")  # the organiser took her presenter role away
    assert not (await _ask(turn)).runs_the_meeting
    assert len(meetings.asked) == 2


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (403, None, "won't tell me roles in this meeting"),
        (404, None, "no longer knows this meeting"),
        (500, None, "could not say just now"),
        (503, None, "could not say just now"),
        (200, {"user": {"aadObjectId": MEGAN}}, "could not be read"),  # no meeting.role
        (200, {"meeting": {"role": 7}}, "could not be read"),
        (200, {"meeting": {"role": "Presenter" * 10}}, "could not be read"),
        (200, "<html>gateway</html>", "could not be read"),
        (200, {"user": {"aadObjectId": "aad-someone-else"}, "meeting": {"role": "Organizer"}}, "could not be read"),
        (200, {"meeting": {"role": "Organizer", "padding": "x" * 40_000}}, "could not reach Teams"),  # too large
    ],
)
async def test_when_teams_cannot_answer_there_is_a_reason_and_no_role(teams, turn, status, body, reason) -> None:  # type: ignore[no-untyped-def]
    meetings, _ = teams
    meetings.fail_next(status, body)
    with pytest.raises(MeetingRoleUnavailable) as refused:
        await _ask(turn)
    assert reason in refused.value.reason


async def test_a_meeting_the_app_was_not_added_to_is_a_403_from_teams(teams, turn) -> None:  # type: ignore[no-untyped-def]
    meetings, _ = teams
    meetings.app_added.clear()
    with pytest.raises(MeetingRoleUnavailable, match="is the app added to the meeting"):
        await _ask(turn)


async def test_no_answer_in_time_is_a_reason(teams, turn) -> None:  # type: ignore[no-untyped-def]
    meetings, _ = teams
    gate = meetings.hold()
    try:
        with pytest.raises(MeetingRoleUnavailable, match="did not answer in time"):
            await _ask(turn, patience=0.2)
    finally:
        gate.set()


async def test_without_the_bots_connector_teams_is_not_asked(teams) -> None:  # type: ignore[no-untyped-def]
    context = TurnContext(TestAdapter(), Activity(type="message", text="poll close 1"))
    with pytest.raises(MeetingRoleUnavailable, match="no connection to Teams"):
        await ConnectorMeetingParticipants().participant(context, MEETING_ID, MEGAN, TENANT)
    assert teams[0].asked == []
