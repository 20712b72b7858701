"""Certificates through the production pipeline: the congratulations card as the outbox sends it to Alex's 1:1
chat, its Download button (a fresh link, Alex's alone), ``my certificates``, and ``certificate CODE`` for anyone:
a valid code (typed loosely) names the holder and the course, an unknown or malformed one says only that there is
no such certificate, and a name is never shown as markdown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.assembly import build_renderers
from bot.features import FEATURES
from classroom.certificates.codes import shown
from classroom.certificates.issuing import issue_certificates
from classroom.certificates.notices import ISSUED
from dialogs.certificates.commands import ASK_FOR_CODE, NO_SUCH_CERTIFICATE, NOT_A_CODE
from dialogs.certificates.links import CERTIFICATE_PATH_PREFIX
from dialogs.registry import FeatureRegistry
from storage.models import Certificate, CourseRun, Person
from tests.support.bot_harness import LONDON, Conversation, button_titles, card_of, card_text, texts
from tests.support.cards import card_actions
from tests.support.enrolment import MULTI_RUN, add_person, load_world, outbox, world

RENDERERS = build_renderers(FeatureRegistry(FEATURES), LONDON)
ALEX = "aad-alex"
ALEX_NAME = "Alex *Wilber* [x](https://ev.il)"  # a Teams name is untrusted text
FIRST_DAY = date(2026, 12, 14)
AFTER_THE_LAST_SESSION = datetime(2027, 1, 4, 15, 30, tzinfo=UTC)


@pytest.fixture
async def alex(session_factory, clock) -> Conversation:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, ALEX_NAME)
    clock.set(AFTER_THE_LAST_SESSION)
    async with session_factory.begin() as session:
        run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == MULTI_RUN))
        person = await session.scalar(select(Person.id).where(Person.aad_object_id == ALEX))
        assert run_id is not None and person is not None
        await issue_certificates(session, run_id=run_id, person_ids=[person], now=clock.now())
    return Conversation(session_factory, clock, aad_object_id=ALEX, name="Alex Wilber")


async def _code(session_factory) -> str:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        code = await session.scalar(select(Certificate.code))
    assert code is not None
    return code


def _literal_texts(card: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextRun":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_the_card_in_alexs_chat_leads_to_a_fresh_download_link(alex, session_factory) -> None:
    [row] = await outbox(session_factory, ISSUED)
    assert row.recipient_aad_object_id == ALEX
    rendered = RENDERERS.render(row.kind, row.payload)["attachments"][0]["content"]
    code = await _code(session_factory)
    assert "Congratulations" in rendered["fallbackText"] and shown(code) in rendered["fallbackText"]
    assert "Monday 14 December 2026 to Monday 4 January 2027" in rendered["fallbackText"]
    assert "20 hours" in rendered["fallbackText"]
    [button] = card_actions(rendered)
    assert button["type"] == "Action.Submit" and "url" not in button  # no credential waits in the outbox

    [reply] = await alex.press(button["data"]["verb"], button["data"]["args"])
    [download] = [a for a in card_actions(card_of(reply)) if a["type"] == "Action.OpenUrl"]
    assert download["title"] == f"Download {MULTI_RUN} (PDF)"
    assert CERTIFICATE_PATH_PREFIX in download["url"] and download["url"].endswith(".pdf")
    assert "Permanence in four sessions" in _literal_texts(card_of(reply))


async def test_my_certificates_lists_alexs_own_and_nobody_elses(alex, session_factory) -> None:
    [mine] = await alex.say("my certificates")
    assert button_titles(mine) == [f"Download {MULTI_RUN} (PDF)"]
    assert "Permanence in four sessions" in card_text(mine)
    [same] = await alex.say("certificates")
    assert button_titles(same) == button_titles(mine)

    bea = alex.as_someone_else("aad-bea", "Bea")
    [none] = await bea.say("my certificates")
    assert "no certificates" in card_text(none) and button_titles(none) == []
    [refused] = await bea.say(f"my certificates {shown(await _code(session_factory))}")
    assert refused.text and "no certificate with that code" in refused.text


async def test_anyone_checks_a_valid_code_typed_loosely(alex, session_factory) -> None:
    code = await _code(session_factory)
    stranger = alex.as_someone_else("aad-employer", "An Employer")
    for typed in (shown(code), code.lower(), f"{code[:3]} {code[3:7]}-{code[7:]}"):
        [reply] = await stranger.say(f"certificate {typed}")
        card = card_of(reply)
        assert card_text(reply).startswith("Valid certificate of attendance")
        assert ALEX_NAME in _literal_texts(card)  # the name exactly as given, never as markdown
        assert "Permanence in four sessions" in _literal_texts(card)
        assert MULTI_RUN in card_text(reply) and "Monday 14 December 2026 to Monday 4 January 2027" in card_text(reply)
        assert "hours" not in card_text(reply).lower()  # nothing beyond whose, which course, dates, issued


async def test_unknown_and_malformed_codes_say_only_that_there_is_none(alex, session_factory) -> None:
    code = await _code(session_factory)
    other = ("Z" if code[0] != "Z" else "Y") + code[1:]
    assert await texts_of(alex, f"certificate {other}") == NO_SUCH_CERTIFICATE
    assert await texts_of(alex, "certificate") == ASK_FOR_CODE
    for malformed in ("hello", "1234", "A" * 2000, "[x](https://ev.il)", "ABCDE-2345O"):
        said = await texts_of(alex, f"certificate {malformed}")
        assert said == NOT_A_CODE and "ev.il" not in said


async def texts_of(person: Conversation, words: str) -> str:
    return texts(await person.say(words))


async def test_help_in_the_one_to_one_chat_lists_both_commands(alex) -> None:
    said = texts(await alex.say("help"))
    assert "certificate CODE" in said and "Check a certificate of attendance" in said
    assert "my certificates" in said and "to download as PDF" in said
