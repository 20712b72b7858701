"""Hostile and malformed activities over HTTP, on SQLite and PostgreSQL alike: a 4xx and one WARNING line for what
the bot cannot take, never a traceback; odd but valid values (long names, NUL, lone surrogates) work the same
on both databases."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import ConversationRecord, Enrolment, Person
from tests.support.enrolment import BHCC, MULTI, add_person, load_world, world

from tests.classroom.enrolment.conftest import FIRST_DAY  # isort: skip

ALEX = "00000000-0000-0000-0000-0000000000020"  # the sender of the captured activities
SOMETHING_WENT_WRONG = "something went wrong"


def _problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING]


def _texts(connector) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(b.get("text") or json.dumps(b.get("attachments")) for b in connector.bodies())


async def test_a_body_nested_a_thousand_levels_is_400_with_one_warning(client, activity, caplog, connector) -> None:
    body = json.dumps(activity("personal-message", value="@VALUE@")).encode()
    nested = b'{"a":' * 1000 + b"1" + b"}" * 1000
    caplog.set_level(logging.INFO)
    response = await client.post(
        "/api/messages", data=body.replace(b'"@VALUE@"', nested), headers={"Content-Type": "application/json"}
    )
    assert response.status == 400 and "Traceback" not in await response.text()
    assert _problems(caplog) == [] and len(_warnings(caplog)) == 1
    assert connector.requests == []


def _mutations() -> list[tuple[str, Any]]:
    def drop(*keys: str) -> Any:
        def change(body: dict[str, Any]) -> None:
            for key in keys:
                body.pop(key)

        return change

    return [
        ("no conversation", drop("conversation")),
        ("no from", drop("from")),
        ("no serviceUrl", drop("serviceUrl")),
        ("channelData a string", lambda b: b.update(channelData="x")),
        ("channelData a list", lambda b: b.update(channelData=[1])),
        ("aadObjectId over 64", lambda b: b["from"].update(aadObjectId="a" * 65)),
        ("conversation id over 512", lambda b: b["conversation"].update(id="c" * 513)),
        ("entity without type", lambda b: b.update(entities=[{}])),
    ]


@pytest.mark.parametrize(("what", "change"), _mutations(), ids=[m[0] for m in _mutations()])
@pytest.mark.parametrize("template", ["personal-message", "conversation-update-members-added-team"])
async def test_malformed_activities_are_400_with_one_warning_and_no_traceback(
    client, activity, caplog, connector, template: str, what: str, change
) -> None:  # type: ignore[no-untyped-def]
    body = activity(template)
    change(body)
    caplog.set_level(logging.INFO)
    response = await client.post("/api/messages", json=body)
    assert response.status == 400, (what, response.status)
    assert (await response.json())["error"] == "bad_request"
    assert _problems(caplog) == [], what
    assert len(_warnings(caplog)) == 1, what
    assert connector.requests == []


async def test_a_256_character_display_name_installs_and_enrols(client, activity, connector, session_factory) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    long_name = "Ann " + "N" * 252  # Entra allows 256 characters; people.name holds 200
    sender = {"id": "user-id-0", "name": long_name, "aadObjectId": ALEX}
    response = await client.post("/api/messages", json=activity("installation-update-add", **{"from": sender}))
    assert response.status == 201
    await add_person(session_factory, ALEX, long_name[:200], BHCC)
    for words in (f"enrol {MULTI}", "I can attend every date"):
        await client.post("/api/messages", json=activity("personal-message", text=words, **{"from": sender}))
    assert SOMETHING_WENT_WRONG not in _texts(connector).lower()
    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == ALEX))
        enrolments = (await session.scalars(select(Enrolment))).all()
    assert person.name == long_name[:200]
    assert len(enrolments) == 1


async def test_nul_and_lone_surrogates_in_words_and_names_are_answered_as_without_them(
    client, activity, connector, session_factory
) -> None:
    sender = {"id": "user-id-0", "name": "Al\u0000ex\ud800 Wilber", "aadObjectId": ALEX}
    await client.post("/api/messages", json=activity("installation-update-add", **{"from": sender}))
    response = await client.post("/api/messages", json=activity("personal-message", text="cour\u0000ses\udfff"))
    assert response.status == 201
    [welcome, courses] = connector.bodies()
    assert courses["attachments"][0]["content"]["fallbackText"].startswith("Our courses")
    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == ALEX))
    assert person.name == "Alex Wilber"


async def test_a_long_team_name_is_kept_cut_to_its_column(client, activity, session_factory) -> None:
    install = activity("installation-update-add-team")
    install["channelData"]["team"]["name"] = "T" * 400
    assert (await client.post("/api/messages", json=install)).status == 201
    async with session_factory() as session:
        record = await session.scalar(select(ConversationRecord))
    assert record.name == "T" * 300


async def test_a_mention_without_words_gets_the_hint_not_an_error(client, activity, connector, caplog) -> None:
    body = activity("groupchat-message-mention")
    del body["text"]  # a mention entity, and no text to take it out of
    caplog.set_level(logging.INFO)
    assert (await client.post("/api/messages", json=body)).status == 201
    assert _problems(caplog) == []
    assert "Type **help**" in connector.bodies()[-1]["text"]


async def test_a_person_added_who_teams_no_longer_lists_is_not_an_error(client, activity, connector, caplog) -> None:
    """botbuilder would look every added person up at the connector; one who already left made the turn fail."""
    caplog.set_level(logging.INFO)
    response = await client.post("/api/messages", json=activity("conversation-update-members-added-groupchat-user"))
    assert response.status == 201
    assert _problems(caplog) == [] and connector.requests == []
