"""Data protection in a chat: ``my data`` shows what is held and a download link that opens the person's file;
``forget me`` asks on a card (what goes, what is kept) and erases on confirmation, after which ``my data`` shows
nothing; a forged confirmation for someone else is refused; admins erase someone by @mention, seeing only how much
is held (the chat may be shared); ``audit`` is for admins."""

from __future__ import annotations

import json

import pytest

from dialogs.privacy.links import MY_DATA_PATH_PREFIX
from storage.models import Role
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import Conversation, button_titles, card_of, card_text, mention
from tests.support.enrolment import add_person, load_world, world
from tests.support.members import teams_member
from tests.support.privacy import Someone, seed_everything

ALEX = Someone("alexandra", 41)
BEA = Someone("beatrix", 42)
PATTI, PATTI_AAD = "Patti Fernandez", "aad-admin-patti"


@pytest.fixture
async def alex(session_factory, clock) -> Conversation:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PATTI_AAD, PATTI, roles=[Role.ADMIN, Role.COORDINATOR])
    for someone in (ALEX, BEA):
        await seed_everything(session_factory, someone, clock.now())
    return Conversation(session_factory, clock, aad_object_id=ALEX.aad, name=ALEX.name, conversation_id=ALEX.chat)


def _download_url(card: dict) -> str:
    [action] = [a for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    return action["url"]


async def test_my_data_shows_what_is_held_and_links_to_the_file(alex: Conversation) -> None:
    [reply] = await alex.say("my data")

    shown = card_text(reply)
    assert shown.startswith("What I hold about you")
    for part in (ALEX.name, ALEX.email, ALEX.clash_reason, "Presume capacity", "ENQ-2026-0041"):
        assert part in shown, part
    assert BEA.name not in shown
    url = _download_url(card_of(reply))
    assert MY_DATA_PATH_PREFIX in url
    token = url.rsplit("/", 1)[1].removesuffix(".json")
    _name, content = await alex.services.privacy.export_file(token)
    assert json.loads(content)["entra_object_id"] == ALEX.aad


async def test_my_data_and_forget_me_are_not_for_shared_chats(alex: Conversation, session_factory, clock) -> None:
    group = Conversation(
        session_factory,
        clock,
        aad_object_id=ALEX.aad,
        name=ALEX.name,
        conversation_type="groupChat",
        conversation_id="19:team@thread.v2",
    )
    for command in ("my data", "forget me"):
        [reply] = await group.say(command)
        assert "one-to-one chat" in reply.text and ALEX.email not in reply.text


async def test_forget_me_confirms_then_erases_and_my_data_shows_nothing(alex: Conversation) -> None:
    [question] = await alex.say("forget me")
    shown = card_text(question)
    assert shown.startswith("Forget you?")
    assert "Erased for good" in shown and "Kept without a name" in shown and "6 years" in shown
    assert "Your booking on" in shown
    assert button_titles(question) == ["Forget me", "Cancel"]

    answer, others = await alex.tap(question, "Forget me")
    assert answer is not None and others == []
    assert answer.body.value["fallbackText"].startswith("Forgotten")

    [after] = await alex.say("my data")
    assert "I hold no data about you" in card_text(after)
    assert not [a for a in card_of(after).get("actions", []) if a["type"] == "Action.OpenUrl"]


async def test_cancel_erases_nothing(alex: Conversation) -> None:
    [question] = await alex.say("forget me")
    answer, _ = await alex.tap(question, "Cancel")
    assert answer is not None and answer.body.value["fallbackText"].startswith("Nothing erased")
    assert not (await alex.services.privacy.my_data(ALEX.aad)).empty


async def test_the_typed_confirmation_works_and_a_forged_one_for_someone_else_is_refused(alex: Conversation) -> None:
    bea = alex.as_someone_else(BEA.aad, BEA.name, BEA.chat)
    [refused] = await bea.press("erasure confirm", ALEX.aad)
    assert "only admins" in refused.text
    assert not (await alex.services.privacy.my_data(ALEX.aad)).empty

    [question] = await alex.say("forget me")
    _none, [done] = await alex.tap(question, "Forget me", fallback=True)
    assert card_text(done).startswith("Forgotten")
    assert (await alex.services.privacy.my_data(ALEX.aad)).empty


async def test_an_admin_erases_someone_by_mention_seeing_only_how_much(
    alex: Conversation, session_factory, clock
) -> None:
    members = [teams_member(PATTI_AAD, PATTI, "29:patti"), teams_member(ALEX.aad, ALEX.name, "29:alexandra")]
    patti = Conversation(
        session_factory,
        clock,
        aad_object_id=PATTI_AAD,
        name=PATTI,
        conversation_type="groupChat",
        conversation_id="19:admins@thread.v2",
        members=members,
    )
    [question] = await patti.say(f"forget <at>{ALEX.name}</at>", entities=[mention("29:alexandra", ALEX.name)])
    shown = card_text(question)
    assert shown.startswith("Erase this person's data?") and ALEX.name in shown
    assert ALEX.clash_reason not in shown and ALEX.email not in shown  # the chat may be shared: only how much

    answer, _ = await patti.tap(question, "Erase their data")
    assert answer is not None and answer.body.value["fallbackText"].startswith("Erased")
    assert (await alex.services.privacy.my_data(ALEX.aad)).empty

    [participant] = await alex.as_someone_else(BEA.aad, BEA.name, BEA.chat).say("audit")
    assert "only for" in participant.text
    [log] = await patti.as_someone_else(PATTI_AAD, PATTI).say("audit")
    assert "privacy.erase" in card_text(log) and ALEX.name not in card_text(log)
    [later] = await patti.as_someone_else(PATTI_AAD, PATTI).say("audit since 01/01/2030")
    assert "since 01/01/2030" in card_text(later) and "No entries." in card_text(later)
    [unreadable] = await patti.as_someone_else(PATTI_AAD, PATTI).say("audit since someday")
    assert "as a date" in unreadable.text
