"""The evaluation report's CSV over real HTTP: a trainer's link opens the CSV (UTF-8 with a byte-order mark, never
cached); a guessed, malformed or expired link is the same 404, which reveals nothing."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from classroom.evaluation.service import EvaluationService
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.enrolment import MULTI_RUN, TRAINER_AAD, load_world, weekly_session, world


@pytest.fixture
async def client(db_url, clock) -> AsyncIterator[TestClient]:
    app = create_app(Settings(database_url=db_url), clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def test_a_trainers_link_downloads_the_csv_until_it_expires(client, session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    clock.set(weekly_session(FIRST_DAY, 4)[1] + timedelta(days=14))  # the "after" survey has closed: the figures
    service = EvaluationService(session_factory, clock, link_ttl=timedelta(minutes=60))
    issued = await service.issue_export_link(TRAINER_AAD, MULTI_RUN)
    response = await client.get(f"/exports/evaluation/{issued.token}.csv")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{MULTI_RUN}-evaluation.csv"'
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf") and "Matched pairs (n)" in body.decode("utf-8-sig")

    guessed = await client.get(f"/exports/evaluation/{secrets.token_urlsafe(32)}.csv")
    assert guessed.status == 404 and "expired or does not exist" in await guessed.text()
    assert (await client.get("/exports/evaluation/short.csv")).status == 404
    clock.advance(timedelta(minutes=61))
    assert (await client.get(f"/exports/evaluation/{issued.token}.csv")).status == 404
