"""Reflection through the production pipeline: the prompt as the outbox sends it to Alex's 1:1 chat, answered with
its buttons (and their Submit fallbacks), the identifying-details warning, ``my cpd``; the trainers' counts never
show the words; nobody else can use Alex's buttons."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.assembly import build_renderers
from bot.features import FEATURES
from classroom.enrolment.service import EnrolmentService
from classroom.reflection.notices import PROMPT
from classroom.reflection.sealing import new_key
from dialogs.cards.base import CARD_CONTENT_TYPE
from dialogs.registry import FeatureRegistry
from storage.models import Role
from tests.dialogs.test_polls import say
from tests.support.bot_harness import LONDON, Conversation, button_titles, card_text, default_settings, texts
from tests.support.enrolment import (
    MULTI_RUN,
    TRAINER_AAD,
    add_person,
    load_world,
    outbox,
    weekly_session,
    world,
)

RENDERERS = build_renderers(FeatureRegistry(FEATURES), LONDON)
SETTINGS = default_settings(reflection_keys=new_key())
ALEX = "aad-alex"
FIRST_DAY = date(2026, 12, 14)
ANSWERS = {
    "covered": "How to present realistic options to the court",
    "learnt": "Every option is weighed side by side, as Re B-S asks",
    "impact": "Clearer care plans for the children I work with",
    "try_first": "A balance sheet in my next statement",
    "peer": "My manager challenged how I weigh contact",
}


def _card_message(content: dict[str, Any]) -> Activity:
    return Activity(
        type=ActivityTypes.message, attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=content)]
    )


async def _prompt(session_factory, position: int = 1) -> Activity:  # type: ignore[no-untyped-def]
    rows = [r for r in await outbox(session_factory, PROMPT) if r.payload["session_position"] == position]
    row = next(r for r in rows if not r.payload["nudge"])
    assert row.recipient_aad_object_id == ALEX
    return _card_message(RENDERERS.render(row.kind, row.payload)["attachments"][0]["content"])


@pytest.fixture
async def alex(session_factory, clock) -> Conversation:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, "Alex Wilber")
    await add_person(session_factory, "aad-megan", "Megan Bowen", roles=(Role.TRAINER,))
    await EnrolmentService(session_factory, clock).enrol(ALEX, MULTI_RUN)
    clock.set(weekly_session(FIRST_DAY, 1)[1] + timedelta(minutes=15))  # session 1 has just ended
    return Conversation(session_factory, clock, aad_object_id=ALEX, name="Alex Wilber", settings=SETTINGS)


def _other(alex: Conversation, aad_object_id: str, name: str) -> Conversation:
    """Someone else in their own 1:1 chat with the same bot (same database, clock and key)."""
    return Conversation(
        alex.session_factory,
        alex.services.clock,
        aad_object_id=aad_object_id,
        name=name,
        conversation_id=f"conv-{aad_object_id}",
        settings=SETTINGS,
    )


def _outcome_value(prompt: Activity) -> str:
    card = prompt.attachments[0].content
    [choices] = [e for e in card["body"] if e.get("type") == "Input.ChoiceSet"]
    return choices["choices"][0]["value"]


async def test_alex_answers_with_a_peer_reflection_and_finds_it_in_my_cpd(alex, session_factory) -> None:
    prompt = await _prompt(session_factory)
    assert "How was session 1 of 4 of Permanence in four sessions?" in card_text(prompt)
    assert button_titles(prompt) == ["Save to my CPD log", "Save draft, finish later", "Skip this one"]
    answer, _ = await alex.tap(prompt, "Save to my CPD log", inputs={**ANSWERS, "outcomes": _outcome_value(prompt)})
    assert answer is not None
    saved = _card_message(answer.body.value)
    assert "Saved: your reflection on Permanence in four sessions" in card_text(saved)
    assert "peer reflection" in card_text(saved)

    [log] = await alex.say("my cpd")
    shown = card_text(log)
    assert "Entries this year: 1" in shown and "With peer reflection: 1" in shown
    assert "1 December 2026 to 30 November 2027" in shown and "What Social Work England asks" in shown
    [entry] = await alex.press("cpd", "1")
    fields = card_text(entry)
    for heading in ("Title", "Description of the activity and why it is relevant to you", "What you learnt"):
        assert heading in fields
    assert ANSWERS["peer"] in fields and "What I will try first: " + ANSWERS["try_first"] in fields


async def test_identifying_details_are_pointed_out_and_may_be_saved_as_they_are(alex, session_factory) -> None:
    prompt = await _prompt(session_factory)
    typed = {**ANSWERS, "covered": "Visiting Mrs Okafor at 14 Elm Grove, BN2 9QA"}
    answer, _ = await alex.tap(prompt, "Save to my CPD log", inputs=typed)
    assert answer is not None
    warned = _card_message(answer.body.value)
    text = card_text(warned)
    assert "could this identify someone?" in text and "a name after a title" in text and "a postcode" in text
    assert "Save as it is" in button_titles(warned)
    boxes = {e["id"]: e.get("value") for e in warned.attachments[0].content["body"] if e.get("type") == "Input.Text"}
    assert boxes["covered"] == typed["covered"]  # kept for editing
    answer, _ = await alex.tap(warned, "Save as it is", inputs=typed)
    assert answer is not None and "Saved" in card_text(_card_message(answer.body.value))


async def test_the_submit_fallbacks_save_a_draft_and_skip(alex, session_factory) -> None:
    prompt = await _prompt(session_factory)
    _, sent = await alex.tap(prompt, "Save draft, finish later", inputs={"covered": "first thoughts"}, fallback=True)
    assert "Draft saved" in texts(sent)
    _, sent = await alex.tap(prompt, "Skip this one", fallback=True)
    assert "No reminder will follow" in texts(sent)
    nudges = [r for r in await outbox(session_factory, PROMPT) if r.payload["nudge"]]
    assert sorted(r.payload["session_position"] for r in nudges) == [2, 3, 4]


async def test_nobody_else_can_use_alexs_buttons_and_trainers_see_only_counts(alex, session_factory) -> None:
    prompt = await _prompt(session_factory)
    await alex.tap(prompt, "Save to my CPD log", inputs=ANSWERS)
    megan = _other(alex, "aad-megan", "Megan Bowen")
    answer, _ = await megan.tap(prompt, "Skip this one")
    assert answer is not None and "isn't yours" in answer.body.value
    [refused] = await megan.say("reflections PERMX-A 1")  # a trainer, but not of this run
    assert "Only the run's trainers" in refused.text
    zoe = _other(alex, TRAINER_AAD, "Zoe Rosenfield")
    shown = texts(await zoe.say("reflections PERMX-A 1"))
    assert "1 of 1 reflected" in shown
    for words in ANSWERS.values():
        assert words not in shown
    for command in ("my cpd", "cpd 1"):  # her own (empty) log; never Alex's entry
        seen = texts(await zoe.say(command))
        assert all(words not in seen for words in ANSWERS.values())


async def test_other_cpd_is_added_edited_and_deleted_with_the_form(alex, session_factory) -> None:
    [form] = await alex.say("cpd add")
    assert "Add to your CPD log" in card_text(form)
    typed = {
        "cpd_date": "2026-12-10",
        "cpd_type": "Supervision",
        "cpd_hours": "1.5",
        "title": "Group supervision on contact",
        "description": "Case discussion in the team",
        "learnt": "Contact plans need the child's view first",
        "impact": "I ask children about contact before planning it",
        "peer": "",
    }
    answer, _ = await alex.tap(form, "Save entry", inputs={**typed, "description": "Call Mum on 07700 900123"})
    assert answer is not None
    warned = _card_message(answer.body.value)
    assert "a phone number" in card_text(warned)
    answer, _ = await alex.tap(warned, "Save as it is", inputs=typed)
    assert answer is not None
    saved = _card_message(answer.body.value)
    assert "CPD entry #1" in card_text(saved) and "Supervision (1.5 hours)" in card_text(saved)

    [edit] = await alex.say("cpd 1 edit")
    _, sent = await alex.tap(
        edit, "Save entry", inputs={**typed, "peer": "A colleague's view of contact"}, fallback=True
    )
    assert "A colleague's view of contact" in texts(sent)
    [log] = await alex.say("my cpd")
    assert "With peer reflection: 1" in card_text(log)

    megan = _other(alex, "aad-megan", "Megan Bowen")
    assert "no CPD entry with that number" in texts(await megan.say("cpd 1"))
    assert "no CPD entry with that number" in texts(await megan.say("cpd 1 delete confirm"))
    [asked] = await alex.say("cpd 1 delete")
    assert "Delete CPD entry #1?" in card_text(asked)
    [done] = await alex.press("cpd", "1 delete confirm")
    assert "deleted" in done.text
    assert "Entries this year: 0" in card_text((await alex.say("my cpd"))[0])


async def test_reflect_in_the_session_chat_prompts_each_participant_privately(alex, session_factory, clock) -> None:
    zoe = Conversation(
        session_factory,
        clock,
        aad_object_id=TRAINER_AAD,
        name="Zoe Rosenfield",
        conversation_type="groupChat",
        conversation_id="19:session-chat@thread.v2",
        settings=SETTINGS,
    )
    [linked] = await say(zoe, f"link {MULTI_RUN}")
    assert "linked to" in linked.text
    [said] = await say(zoe, "reflect")
    assert "sent the reflection prompt for session 1 of 4 of PERMX-A to 1 participant" in said.text
    assert not said.attachments  # nothing of the prompt in the group
    rows = [r for r in await outbox(session_factory, PROMPT) if r.payload["session_position"] == 1]
    assert {r.recipient_aad_object_id for r in rows} == {ALEX} and all(r.conversation_key is None for r in rows)
