"""``my data`` over real HTTP: the Teams message, the card's download link, and the bot's download route, which
answers the person's JSON file, nothing to a guessed or expired link, and nothing once the person is erased."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from classroom.enrolment.service import EnrolmentService
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.enrolment import BHCC, MULTI_RUN, add_person, load_world, world

ALEX = "00000000-0000-0000-0000-0000000000020"  # the sender of the captured personal-message activity


@pytest.fixture
async def client(db_url, clock) -> AsyncIterator[TestClient]:
    app = create_app(Settings(database_url=db_url), clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture
async def alex(session_factory) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, "Alex Wilber", BHCC)


def _download_path(bodies: list[dict]) -> str:
    [card] = [
        b["attachments"][0]["content"]
        for b in bodies
        if b.get("attachments") and b["attachments"][0]["content"]["fallbackText"].startswith("What I hold")
    ]
    [url] = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    return urlsplit(url).path


async def test_my_data_link_downloads_the_persons_file_until_it_expires(
    client, activity, connector, alex, clock, session_factory
):  # type: ignore[no-untyped-def]
    await EnrolmentService(session_factory, clock).enrol(ALEX, MULTI_RUN)
    await client.post("/api/messages", json=activity("personal-message", text="my data"))
    path = _download_path(connector.bodies())

    response = await client.get(path)
    assert response.status == 200 and response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    document = json.loads(await response.read())
    assert document["entra_object_id"] == ALEX
    assert document["sections"]["Profile"]["name"] == "Alex Wilber"
    assert [c["run"] for c in document["sections"]["Courses"]] == [MULTI_RUN]

    for guessed in (f"/my-data/{secrets.token_urlsafe(32)}.json", "/my-data/short.json", path.removesuffix(".json")):
        assert (await client.get(guessed)).status == 404, guessed
    clock.advance(timedelta(days=8))  # MY_DATA_LINK_DAYS: 7
    gone = await client.get(path)
    assert gone.status == 404 and "expired or does not exist" in await gone.text()


async def test_an_erased_persons_link_opens_nothing(client, activity, connector, alex):  # type: ignore[no-untyped-def]
    await client.post("/api/messages", json=activity("personal-message", text="my data"))
    path = _download_path(connector.bodies())
    await client.post("/api/messages", json=activity("personal-message", text="erasure confirm " + ALEX))
    assert "Forgotten" in connector.bodies()[-1]["attachments"][0]["content"]["fallbackText"]
    assert (await client.get(path)).status == 404
