"""Turns posted over real HTTP exactly as Teams (the Agents Playground) sends them; replies read from a
local connector."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.app import RUNTIME
from storage.engine import create_engine
from storage.models import ConversationRecord, Person, Role
from tests.support.catalogue import load_demo_catalogue


def _card_text(body: dict) -> str:
    return body["attachments"][0]["content"]["fallbackText"]


async def test_healthz_reports_the_database(client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    payload = await response.json()
    assert payload["status"] == "ok" and payload["database"] == "ok"


async def test_healthz_is_503_when_the_database_is_unreachable(client) -> None:
    runtime = client.server.app[RUNTIME]
    healthy_engine = runtime.engine
    runtime.engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/unreachable")  # port 9: nothing
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        payload = await response.json()
        assert payload["status"] == "unavailable" and "Traceback" not in await response.text()
    finally:
        await runtime.engine.dispose()
        runtime.engine = healthy_engine


async def test_install_in_personal_chat_stores_the_reference_and_welcomes(
    client, activity, connector, session_factory
) -> None:
    response = await client.post("/api/messages", json=activity("installation-update-add"))
    assert response.status in (200, 201)
    [welcome] = connector.bodies()
    assert "Welcome" in _card_text(welcome)
    assert welcome["conversation"]["id"] == "af809acf-bc6c-4d54-a71a-1a997795c42c"
    async with session_factory() as session:
        record = await session.scalar(select(ConversationRecord))
        person = await session.scalar(select(Person))
    assert record.conversation_type == "personal" and record.installed
    assert record.tenant_id == "00000000-0000-0000-0000-0000000000001"
    assert record.user_aad_object_id == "00000000-0000-0000-0000-0000000000020"
    assert record.reference["serviceUrl"] == connector.url
    assert person.aad_object_id == "00000000-0000-0000-0000-0000000000020"
    assert person.role_set == {Role.PARTICIPANT}


async def test_install_in_a_team_stores_the_channel_and_welcomes_there(
    client, activity, connector, session_factory
) -> None:
    await client.post("/api/messages", json=activity("installation-update-add-team"))
    await client.post("/api/messages", json=activity("conversation-update-members-added-team"))
    [welcome] = connector.bodies()  # one welcome per install, not one per event
    assert "In this channel, mention me" in _card_text(welcome)
    async with session_factory() as session:
        records = (await session.scalars(select(ConversationRecord))).all()
    assert [r.conversation_type for r in records] == ["channel"]
    assert records[0].team_id and records[0].name


async def test_uninstall_marks_the_conversation_not_installed(client, activity, session_factory) -> None:
    await client.post("/api/messages", json=activity("installation-update-add"))
    await client.post("/api/messages", json=activity("installation-update-remove"))
    async with session_factory() as session:
        record = await session.scalar(select(ConversationRecord))
    assert record.installed is False


async def test_courses_and_course_details_over_http(client, activity, connector, session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    await client.post("/api/messages", json=activity("personal-message", text="courses"))
    await client.post("/api/messages", json=activity("personal-message", text="course PERM4"))
    listing, details = connector.bodies()
    assert "PERMPLAN" in _card_text(listing) and "PERM4" in _card_text(listing)
    assert len(re.findall(r"Session \d: Monday .*, 10:00–15:00 (?:GMT|BST)", _card_text(details))) == 4
    # replies go back to the conversation and thread Teams asked from
    assert connector.requests[0]["path"].startswith("/v3/conversations/af809acf-bc6c-4d54-a71a-1a997795c42c/")


async def test_channel_mention_is_answered_in_its_thread(client, activity, connector, session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    body = activity("channel-message-mention")
    body["text"] = body["text"].split("</at>")[0] + "</at> courses"
    await client.post("/api/messages", json=body)
    [reply] = connector.bodies()
    assert "Our courses" in _card_text(reply)
    assert reply["conversation"]["id"] == body["conversation"]["id"]  # the thread, ;messageid= kept


async def test_card_button_submit_runs_its_command(client, activity, connector, session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    await client.post(
        "/api/messages", json=activity("card-action-submit", value={"verb": "course", "args": "PERMPLAN"})
    )
    [reply] = connector.bodies()
    assert "Permanence Planning" in _card_text(reply)


async def test_find_dialog_survives_a_restart(app_factory, activity, connector, session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    async with app_factory() as first_process:
        await first_process.post("/api/messages", json=activity("personal-message", text="find"))
    assert "What are you looking for?" in connector.bodies()[-1]["text"]
    async with app_factory() as second_process:  # a new process on the same database
        await second_process.post("/api/messages", json=activity("personal-message", text="court"))
    listing = _card_text(connector.bodies()[-1])
    assert "Search results" in listing and "PERM4" in listing


async def test_malformed_bodies_get_400_without_a_traceback(client) -> None:
    cases = [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('{"text": "no type"}', "application/json"),
        ('{"type": 42}', "application/json"),
        ("\xff\xfe", "application/json"),
    ]
    for body, content_type in cases:
        response = await client.post(
            "/api/messages", data=body.encode("latin-1"), headers={"Content-Type": content_type}
        )
        text = await response.text()
        assert response.status == 400, (body, response.status, text)
        assert "Traceback" not in text and "bad_request" in text
    response = await client.post("/api/messages", data="hello", headers={"Content-Type": "text/plain"})
    assert response.status == 415


async def test_admins_from_settings_get_coordinator_and_admin_roles(app_factory, session_factory) -> None:
    async with app_factory(admin_aad_object_ids=["first-coordinator"]):
        pass
    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == "first-coordinator"))
    assert person.role_set >= {Role.COORDINATOR, Role.ADMIN}


async def test_shutdown_lets_poll_votes_finish_before_the_engine_goes(app_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The votes being recorded together (and the card marked after them) finish before delivery stops and the
    engine is disposed."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.delivery.service import DeliveryService
    from classroom.polls.service import PollService

    order: list[str] = []

    def noted(name: str, real):  # type: ignore[no-untyped-def]
        async def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            order.append(name)
            return await real(self, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(PollService, "aclose", noted("polls", PollService.aclose))
    monkeypatch.setattr(DeliveryService, "stop", noted("delivery", DeliveryService.stop))
    monkeypatch.setattr(AsyncEngine, "dispose", noted("engine", AsyncEngine.dispose))
    async with app_factory():
        order.clear()
    assert order[:2] == ["polls", "delivery"] and order[-1] == "engine", order
