"""botbuilder's own code paths on the fast connector: turn replies, updates, TeamsInfo, proactive sends, and
turns that run once per activity."""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters, ErrorResponseException
from botbuilder.schema.teams import TeamsChannelAccount

from bot import turn_context as turn_context_module
from bot.adapter import EdgeAdapter, RedeliveryGuard, TurnOutcome, build_adapter, process_request
from bot.connector import ConnectorHTTPError, TurnConnectorClient
from bot.settings import Settings
from tests.support.fake_connector import FakeConnector
from tests.support.fake_identity_provider import FakeIdentityProvider

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "teams-activities"
APP_ID = "00000000-0000-0000-0000-00000000000011"
CONVERSATION = "af809acf-bc6c-4d54-a71a-1a997795c42c"


def _activity(name: str, service_url: str, *, fresh_id: bool = True) -> Activity:
    body = copy.deepcopy(json.loads((REFERENCE / f"{name}.json").read_text()))
    body["serviceUrl"] = service_url
    if fresh_id:
        body["id"] = str(uuid.uuid4())
    return Activity().deserialize(body)


class ScriptedBot(TeamsActivityHandler):
    """Runs ``script(turn_context)`` for every message; records what member hooks received."""

    def __init__(self, script: Callable[[TurnContext], Awaitable[Any]] | None = None) -> None:
        self.script = script
        self.turns = 0
        self.members_added: list[TeamsChannelAccount] = []
        self.results: list[Any] = []

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        self.turns += 1
        if self.script is not None:
            self.results.append(await self.script(turn_context))

    async def on_teams_members_added(self, teams_members_added, team_info, turn_context) -> None:  # type: ignore[no-untyped-def]
        self.members_added.extend(teams_members_added)


@pytest.fixture
async def teams() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as connector:
        yield connector


@pytest.fixture
async def adapter() -> AsyncIterator[EdgeAdapter]:
    edge = build_adapter(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    yield edge
    await edge.close()


async def test_reply_is_byte_for_byte_what_stock_botbuilder_sent(adapter: EdgeAdapter, teams: FakeConnector) -> None:
    async def echo(turn_context: TurnContext) -> Any:
        return await turn_context.send_activity(f"Echo: {turn_context.activity.text}")

    bot = ScriptedBot(echo)
    inbound = _activity("personal-message", teams.service_url, fresh_id=False)
    response = await process_request(adapter, inbound, "", bot)

    expected = json.loads((REFERENCE / "outbound-reply.json").read_text()) | {"serviceUrl": teams.service_url}
    [request] = teams.requests
    assert response.status == 201
    assert request.path == f"/v3/conversations/{CONVERSATION}/activities/{inbound.id}"
    assert request.body == expected
    assert request.headers["x-ms-conversation-id"] == CONVERSATION
    assert bot.results[0].id  # the ResourceResponse carries the id the connector gave the message


async def test_a_text_reply_is_copied_shallowly_before_it_is_addressed(
    adapter: EdgeAdapter, teams: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botbuilder deep-copies every activity it sends; the one it makes of a text is its own, so a shallow copy does."""
    copies: list[tuple[Any, Any]] = []

    def recording(value: Any, memo: Any = None) -> Any:
        copied = copy.deepcopy(value, memo)
        copies.append((value, copied))
        return copied

    monkeypatch.setattr(turn_context_module, "deepcopy", recording)  # the copy our turn context makes of each send
    bot = ScriptedBot(lambda turn_context: turn_context.send_activity("Echo"))
    await process_request(adapter, _activity("personal-message", teams.service_url), "", bot)

    [(original, sent)] = copies
    assert sent is not original and sent.additional_properties is original.additional_properties
    assert original.conversation is None and sent.conversation.id == CONVERSATION  # the text's own activity untouched
    assert teams.requests[0].body["text"] == "Echo"


async def test_card_reply_then_update_goes_out_as_post_then_put(adapter: EdgeAdapter, teams: FakeConnector) -> None:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Poll: open"}]}

    async def card_then_update(turn_context: TurnContext) -> Any:
        sent = await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
        closed = MessageFactory.attachment(
            CardFactory.adaptive_card({**card, "body": [{"type": "TextBlock", "text": "Poll: closed"}]})
        )
        closed.id = sent.id
        return await turn_context.update_activity(closed)

    bot = ScriptedBot(card_then_update)
    await process_request(adapter, _activity("personal-message", teams.service_url), "", bot)

    post, put = teams.requests
    sent_id = teams.requests[1].path.rsplit("/", 1)[1]
    assert post.method == "POST" and put.method == "PUT"
    assert put.path == f"/v3/conversations/{CONVERSATION}/activities/{sent_id}"
    assert post.body["attachments"][0]["content"]["body"][0]["text"] == "Poll: open"
    assert put.body["attachments"][0]["content"]["body"][0]["text"] == "Poll: closed"
    assert bot.results[0].id == sent_id


async def test_teams_info_member_lookups(adapter: EdgeAdapter, teams: FakeConnector) -> None:
    teams.members[CONVERSATION] = json.loads((REFERENCE / "connector-get-members.json").read_text())

    async def look_up(turn_context: TurnContext) -> Any:
        one = await TeamsInfo.get_member(turn_context, "user-id-0")
        everyone = await TeamsInfo.get_members(turn_context)
        paged = await TeamsInfo.get_paged_members(turn_context)
        return one, everyone, paged

    bot = ScriptedBot(look_up)
    await process_request(adapter, _activity("personal-message", teams.service_url), "", bot)

    one, everyone, paged = bot.results[0]
    assert one.aad_object_id == "00000000-0000-0000-0000-0000000000020"
    assert everyone[0].additional_properties["objectId"] == "00000000-0000-0000-0000-0000000000020"
    assert paged.members[0].id == "user-id-0"


async def test_connector_errors_look_like_the_stock_clients(adapter: EdgeAdapter, teams: FakeConnector) -> None:
    teams.members[CONVERSATION] = []

    async def look_up_nobody(turn_context: TurnContext) -> Any:
        try:
            await TeamsInfo.get_member(turn_context, "nobody")
        except ErrorResponseException as error:
            return error
        return None

    bot = ScriptedBot(look_up_nobody)
    await process_request(adapter, _activity("personal-message", teams.service_url), "", bot)

    [error] = bot.results
    assert isinstance(error, ConnectorHTTPError)
    assert error.error.error.code == "MemberNotFoundInConversation"
    assert error.status == 404 and error.response.error_code == "MemberNotFoundInConversation"


async def test_members_added_in_an_unknown_conversation_takes_botbuilders_fallback(
    adapter: EdgeAdapter, teams: FakeConnector
) -> None:
    # TeamsActivityHandler looks each new member up and, on ConversationNotFound, builds the account itself:
    # that only works if our error carries the code where botbuilder looks for it.
    bot = ScriptedBot()
    response = await process_request(
        adapter, _activity("conversation-update-members-added-groupchat-user", teams.service_url), "", bot
    )
    assert response.status == 201
    assert [m.id for m in bot.members_added] and teams.requests[0].path.endswith(f"/members/{bot.members_added[0].id}")


async def test_proactive_sends_and_new_conversations_are_signed(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeIdentityProvider() as idp, FakeConnector() as teams:
        teams.authorize = idp.issued
        adapter = build_adapter(
            Settings(database_url="sqlite+aiosqlite:///:memory:", **idp.bot_settings(app_id=APP_ID, password="pw"))
        )
        reference = TurnContext.get_conversation_reference(_activity("personal-message", teams.service_url))
        created: list[str] = []

        async def remind(turn_context: TurnContext) -> None:
            await turn_context.send_activity("Reminder: session 2 starts at 10:00")

        async def greet(turn_context: TurnContext) -> None:
            created.append(turn_context.activity.conversation.id)
            await turn_context.send_activity("Hello in a new chat")

        try:
            await adapter.continue_conversation(reference, remind)
            await adapter.create_conversation(
                None,
                greet,
                ConversationParameters(
                    is_group=False,
                    bot=ChannelAccount(id=APP_ID),
                    members=[ChannelAccount(id="29:someone")],
                    tenant_id="t1",
                ),
                "msteams",
                teams.service_url,
            )
        finally:
            await adapter.close()

    reminder, create, hello = teams.requests
    # botbuilder replies to the continuation activity's id, as it does on the stock connector.
    assert reminder.path.startswith(f"/v3/conversations/{CONVERSATION}/activities")
    assert reminder.body["text"] == "Reminder: session 2 starts at 10:00"
    assert create.path == "/v3/conversations" and create.body["members"] == [{"id": "29:someone"}]
    assert hello.path.startswith(f"/v3/conversations/{created[0]}/activities")
    assert all(idp.issued(r.headers["Authorization"]) for r in teams.requests)
    assert idp.token_requests == 1


async def test_turns_build_no_stock_clients(
    adapter: EdgeAdapter, teams: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    import msal
    from botframework.connector.aio import ConnectorClient
    from botframework.connector.token_api.aio import TokenApiClient
    from msrest.pipeline.universal import UserAgentPolicy  # noqa: F401 - msrest's pipeline, built per client
    from msrest.service_client import ServiceClient

    built: list[str] = []
    for cls in (ConnectorClient, TokenApiClient, msal.ConfidentialClientApplication, ServiceClient):
        original = cls.__init__

        def spy(self, *args: Any, _cls: type = cls, _original: Any = original, **kwargs: Any) -> None:
            built.append(_cls.__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", spy)

    clients: list[Any] = []

    async def reply(turn_context: TurnContext) -> Any:
        clients.append(turn_context.turn_state[adapter.BOT_CONNECTOR_CLIENT_KEY])
        return await turn_context.send_activity("ok")

    bot = ScriptedBot(reply)
    for _ in range(20):
        assert (await process_request(adapter, _activity("personal-message", teams.service_url), "", bot)).status == 201
    assert built == []
    assert teams.request_count == 20
    assert isinstance(clients[0], TurnConnectorClient) and all(c is clients[0] for c in clients)


# -- each activity runs once ---------------------------------------------------------------------------------------


async def test_a_redelivered_activity_runs_once_and_gets_the_same_answer(
    adapter: EdgeAdapter, teams: FakeConnector
) -> None:
    async def reply(turn_context: TurnContext) -> Any:
        return await turn_context.send_activity("recorded your vote")

    bot = ScriptedBot(reply)
    activity = _activity("personal-message", teams.service_url)
    first = await process_request(adapter, activity, "", bot)
    again = await process_request(adapter, Activity().deserialize(activity.serialize()), "", bot)
    assert (first.status, again.status) == (201, 201)
    assert bot.turns == 1 and teams.request_count == 1
    assert adapter.redeliveries.replayed == 1


async def test_a_redelivery_while_the_first_delivery_runs_waits_for_it(
    adapter: EdgeAdapter, teams: FakeConnector
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(turn_context: TurnContext) -> Any:
        started.set()
        await release.wait()
        return await turn_context.send_activity("done")

    bot = ScriptedBot(slow)
    activity = _activity("personal-message", teams.service_url)
    first = asyncio.create_task(process_request(adapter, activity, "", bot))
    await started.wait()
    second = asyncio.create_task(process_request(adapter, Activity().deserialize(activity.serialize()), "", bot))
    for _ in range(100):  # let the redelivery reach the guard (yielding, not sleeping)
        if adapter.redeliveries.replayed:
            break
        await asyncio.sleep(0)
    assert adapter.redeliveries.replayed == 1 and not first.done()
    release.set()
    assert [r.status for r in await asyncio.gather(first, second)] == [201, 201]
    assert bot.turns == 1 and teams.request_count == 1


async def test_a_failed_turn_runs_again_when_redelivered(adapter: EdgeAdapter, teams: FakeConnector) -> None:
    attempts: list[int] = []

    async def flaky(turn_context: TurnContext) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database hiccup")
        return await turn_context.send_activity("second time lucky")

    bot = ScriptedBot(flaky)
    activity = _activity("personal-message", teams.service_url)
    with pytest.raises(RuntimeError):
        await process_request(adapter, activity, "", bot)
    assert (await process_request(adapter, activity, "", bot)).status == 201
    assert len(attempts) == 2 and teams.activities[0]["text"] == "second time lucky"


async def test_distinct_activities_are_not_mistaken_for_redeliveries(
    adapter: EdgeAdapter, teams: FakeConnector
) -> None:
    bot = ScriptedBot()
    for _ in range(3):
        await process_request(adapter, _activity("personal-message", teams.service_url), "", bot)
    assert bot.turns == 3 and adapter.redeliveries.replayed == 0


async def test_remembered_answers_stay_within_their_byte_budget() -> None:
    """Card answers are large: the oldest are forgotten once their total size passes the budget."""
    guard = RedeliveryGuard(max_bytes=25_000)
    card_answer = TurnOutcome(200, b"x" * 10_000)
    for n in range(5):
        await guard.run(("msteams", "a:1", f"invoke-{n}"), lambda: _answer(card_answer))
    assert guard.remembered_bytes == 20_000  # the two newest
    ran = []
    await guard.run(("msteams", "a:1", "invoke-4"), lambda: _answer(card_answer, ran))
    await guard.run(("msteams", "a:1", "invoke-0"), lambda: _answer(card_answer, ran))
    assert len(ran) == 1  # invoke-4 answered from memory; invoke-0 was forgotten and ran again


async def test_remembered_answers_are_not_tracked_by_the_garbage_collector() -> None:
    """Thousands of answers are held for ten minutes: as tracked objects each full collection would scan them all."""
    guard = RedeliveryGuard()
    for n in range(3):
        await guard.run(("msteams", "a:1", f"activity-{n}"), lambda: _answer(TurnOutcome(200, b'{"ok":1}')))
    await guard.run(("msteams", "a:1", "no-body"), lambda: _answer(TurnOutcome(201)))
    gc.collect()
    assert not any(gc.is_tracked(key) or gc.is_tracked(entry) for key, entry in guard._done.items())
    replayed = await guard.run(("msteams", "a:1", "activity-1"), lambda: _answer(TurnOutcome(500)))
    assert replayed == TurnOutcome(200, b'{"ok":1}') and guard.replayed == 1


async def _answer(outcome: TurnOutcome, ran: list[int] | None = None) -> TurnOutcome:
    if ran is not None:
        ran.append(1)
    return outcome
