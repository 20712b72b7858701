"""A certificate over real HTTP: Alex's Download button from ``my certificates`` opens his PDF, which names him
and the course and carries the code; a guessed, malformed or expired link is a 404 that reveals nothing."""

from __future__ import annotations

import io
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pypdf import PdfReader
from sqlalchemy import select

from bot.app import create_app
from bot.settings import Settings
from classroom.certificates.codes import shown
from classroom.certificates.issuing import issue_certificates
from classroom.certificates.links import LINK_TTL
from storage.models import Certificate, CourseRun, Person
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.cards import card_actions
from tests.support.enrolment import BHCC, MULTI_RUN, add_person, load_world, world

ALEX = "00000000-0000-0000-0000-0000000000020"  # the sender of the captured personal-message activity
ALEX_NAME = "Alex Wilber-Łukasiewicz"
AFTER_THE_LAST_SESSION = datetime(2027, 1, 4, 15, 30, tzinfo=UTC)


@pytest.fixture
async def client(db_url, clock) -> AsyncIterator[TestClient]:
    app = create_app(Settings(database_url=db_url), clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture
async def completed(session_factory, clock) -> str:
    """Alex completed the run; his certificate's code."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, ALEX_NAME, BHCC)
    clock.set(AFTER_THE_LAST_SESSION)
    async with session_factory.begin() as session:
        run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == MULTI_RUN))
        person = await session.scalar(select(Person.id).where(Person.aad_object_id == ALEX))
        assert run_id is not None and person is not None
        await issue_certificates(session, run_id=run_id, person_ids=[person], now=clock.now())
        code = await session.scalar(select(Certificate.code))
    assert code is not None
    return code


async def test_my_certificates_links_to_alexs_pdf_until_it_expires(
    client, activity, connector, completed, clock
) -> None:
    await client.post("/api/messages", json=activity("personal-message", text="my certificates"))
    cards = [b["attachments"][0]["content"] for b in connector.bodies() if b.get("attachments")]
    [card] = [c for c in cards if c["fallbackText"].startswith("Your certificates")]
    [url] = [a["url"] for a in card_actions(card) if a["type"] == "Action.OpenUrl"]

    response = await client.get(urlsplit(url).path)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="certificate-{MULTI_RUN}-{completed}.pdf"'
    pdf = PdfReader(io.BytesIO(await response.read()))
    words = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert ALEX_NAME in words and "Permanence in four sessions" in words and shown(completed) in words

    guessed = await client.get(f"/certificates/{secrets.token_urlsafe(32)}.pdf")
    assert guessed.status == 404 and "expired or does not exist" in await guessed.text()
    assert (await client.get("/certificates/short.pdf")).status == 404
    clock.set(AFTER_THE_LAST_SESSION + LINK_TTL)
    expired = await client.get(urlsplit(url).path)
    assert expired.status == 404 and "my certificates" in await expired.text()
