"""The CPD log over real HTTP: Alex's "Download Word" link from ``my cpd`` opens a Word document holding his
answers under the form's headings; a guessed, malformed or expired link is a 404 that reveals nothing."""

from __future__ import annotations

import io
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from docx import Document
from sqlalchemy import select

from bot.app import create_app
from bot.settings import Settings
from classroom.enrolment.service import EnrolmentService
from classroom.reflection.export_links import LINK_TTL
from classroom.reflection.sealing import Sealer, new_key
from classroom.reflection.service import ReflectionService
from storage.models import RunSession
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.enrolment import BHCC, LONDON, MULTI_RUN, add_person, load_world, world

ALEX = "00000000-0000-0000-0000-0000000000020"  # the sender of the captured personal-message activity
KEY = new_key()
FIRST_DAY_END = datetime(2026, 12, 14, 15, 30, tzinfo=UTC)  # session 1 has just ended
PEER = "My manager challenged how I weigh contact"


@pytest.fixture
async def client(db_url, clock) -> AsyncIterator[TestClient]:
    app = create_app(Settings(database_url=db_url, reflection_keys=KEY), clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture
async def reflected(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, "Alex Wilber", BHCC)
    place = await EnrolmentService(session_factory, clock).enrol(ALEX, MULTI_RUN)
    async with session_factory() as session:
        first = await session.scalar(select(RunSession.id).where(RunSession.position == 1))
    assert first is not None
    clock.set(FIRST_DAY_END)
    answers = {"covered": "c", "learnt": "l", "impact": "i", "try_first": "t", "peer": PEER}
    reflection = ReflectionService(session_factory, clock, LONDON, Sealer((KEY,)))
    await reflection.save(ALEX, place.id, first, answers, [], finish=True)


async def test_my_cpd_links_to_a_word_document_with_the_answers(client, activity, connector, reflected, clock) -> None:
    await client.post("/api/messages", json=activity("personal-message", text="my cpd"))
    cards = [b["attachments"][0]["content"] for b in connector.bodies() if b.get("attachments")]
    [card] = [c for c in cards if c["fallbackText"].startswith("Your CPD log")]
    urls = {a["title"]: a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"}
    response = await client.get(urlsplit(urls["Download Word"]).path)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="cpd-2026-2027.docx"'
    paragraphs = [p.text for p in Document(io.BytesIO(await response.read())).paragraphs]
    peer_heading = paragraphs.index("What you learnt from discussing this CPD activity with a peer")
    assert paragraphs[peer_heading + 1] == PEER
    csv_response = await client.get(urlsplit(urls["Download CSV"]).path)
    assert csv_response.status == 200 and PEER in (await csv_response.read()).decode("utf-8-sig")

    guessed = await client.get(f"/cpd/{secrets.token_urlsafe(32)}.docx")
    assert guessed.status == 404 and "expired or does not exist" in await guessed.text()
    assert (await client.get("/cpd/short.docx")).status == 404
    clock.set(FIRST_DAY_END + LINK_TTL)
    assert (await client.get(urlsplit(urls["Download Word"]).path)).status == 404
