"""Administration in a chat: ``grant`` / ``revoke`` name the person by @mention (their account, never the words),
ask on a card before changing anything, and are refused to everyone but admins, also when the card's button is
forged; ``link trainer`` is for admins and coordinators; every change shows in ``roles history``."""

from __future__ import annotations

from typing import Any

import pytest

from classroom.admin.service import AdminService
from classroom.people import PeopleService
from dialogs.admin.cards import GRANT, REVOKE
from storage.models import AdminAction, Role
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import Conversation, button_titles, card_of, card_text, mention, texts
from tests.support.enrolment import COORDINATOR_AAD, MULTI_RUN, TRAINER_AAD, add_person, load_world, world
from tests.support.members import teams_member

PATTI, PATTI_AAD = "Patti Fernandez", "aad-admin-patti"
MEGAN, MEGAN_AAD, MEGAN_ID = "Megan Bowen", "aad-megan", "29:megan"
ALEX_AAD = "aad-alex"
MEMBERS = [
    teams_member(PATTI_AAD, PATTI, "29:patti"),
    teams_member(MEGAN_AAD, MEGAN, MEGAN_ID),
    teams_member(COORDINATOR_AAD, "Adele Vance", "29:adele"),
    teams_member(ALEX_AAD, "Alex Wilber", "29:alex"),
]


def in_group(conversation: Conversation, aad_object_id: str, name: str) -> Conversation:
    return Conversation(
        conversation.session_factory,
        conversation.services.clock,
        aad_object_id=aad_object_id,
        name=name,
        conversation_type="groupChat",
        conversation_id="19:course-team@thread.v2",
        members=MEMBERS,
    )


@pytest.fixture
async def patti(session_factory, clock) -> Conversation:
    """Patti, the only admin (and a coordinator), in a group chat with Megan, Adele and Alex."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PATTI_AAD, PATTI, roles=[Role.ADMIN, Role.COORDINATOR])
    await add_person(session_factory, ALEX_AAD, "Alex Wilber")
    chat = Conversation(session_factory, clock, aad_object_id=PATTI_AAD, name=PATTI)
    return in_group(chat, PATTI_AAD, PATTI)


async def _roles(conversation: Conversation, aad_object_id: str) -> frozenset[Role]:
    return await PeopleService(conversation.session_factory).roles_of(aad_object_id)


async def _history(conversation: Conversation) -> list[Any]:
    return await AdminService(conversation.session_factory, conversation.services.clock).history(PATTI_AAD)


async def test_an_admin_grants_a_role_by_mention_after_confirming(patti: Conversation) -> None:
    [question] = await patti.say(f"grant <at>{MEGAN}</at> coordinator", entities=[mention(MEGAN_ID, MEGAN)])

    assert card_text(question).startswith("Grant the coordinator role?")
    assert button_titles(question) == ["Give the coordinator role", "Cancel"]
    assert Role.COORDINATOR not in await _roles(patti, MEGAN_AAD)  # nothing until confirmed

    answer, others = await patti.tap(question, "Give the coordinator role")
    assert answer is not None and others == []
    assert answer.body.value["fallbackText"].startswith("Granted: coordinator")
    assert Role.COORDINATOR in await _roles(patti, MEGAN_AAD)  # found through Teams' member record of the mention

    [record] = await _history(patti)
    assert (record.action, record.actor_name, record.subject_name, record.role) == (
        AdminAction.GRANT,
        PATTI,
        MEGAN,
        "coordinator",
    )
    [listed] = await patti.say("roles history")
    assert f"{PATTI} granted coordinator: {MEGAN}" in card_text(listed)
    [roles] = await patti.say("roles")
    assert "Coordinators (3)\nAdele Vance, Megan Bowen, Patti Fernandez" in card_text(roles)


async def test_the_typed_fallback_of_the_card_works_too(patti: Conversation) -> None:
    [question] = await patti.say(f"grant <at>{MEGAN}</at> trainer", entities=[mention(MEGAN_ID, MEGAN)])
    _, sent = await patti.tap(question, "Give the trainer role", fallback=True)
    assert card_text(sent[0]).startswith("Granted: trainer")
    assert Role.TRAINER in await _roles(patti, MEGAN_AAD)


async def test_cancel_changes_nothing(patti: Conversation) -> None:
    [question] = await patti.say(f"revoke <at>{PATTI}</at> coordinator", entities=[mention("29:patti", PATTI)])
    answer, _ = await patti.tap(question, "Cancel")
    assert answer is not None and answer.body.value["fallbackText"].startswith("Nothing changed")
    assert Role.COORDINATOR in await _roles(patti, PATTI_AAD)
    assert await _history(patti) == []


async def test_the_only_admin_cannot_revoke_their_own_admin_role(patti: Conversation) -> None:
    [question] = await patti.say(f"revoke <at>{PATTI}</at> admin", entities=[mention("29:patti", PATTI)])
    answer, _ = await patti.tap(question, "Take the admin role")
    assert answer is not None and "You are the only admin" in answer.body.value
    assert Role.ADMIN in await _roles(patti, PATTI_AAD)


@pytest.mark.parametrize(
    ("aad_object_id", "name"), [(COORDINATOR_AAD, "Adele Vance"), (TRAINER_AAD, "Zoe"), (ALEX_AAD, "Alex Wilber")]
)
async def test_only_admins_may_grant_even_with_a_forged_button(
    patti: Conversation, aad_object_id: str, name: str
) -> None:
    other = in_group(patti, aad_object_id, name)
    replies = await other.say(f"grant <at>{name}</at> admin", entities=[mention("29:x", name, aad_object_id)])
    assert "only for admins" in texts(replies)

    # The confirmation card's button, pressed by someone who is no admin (the card copied, or made up).
    data = {"person": aad_object_id, "name": name, "role": "admin"}
    answer, _ = await other.execute(GRANT, data)
    assert "only admins" in answer.body.value
    answer, _ = await other.execute(REVOKE, {"person": PATTI_AAD, "name": PATTI, "role": "admin"})
    assert "only admins" in answer.body.value
    assert "only for admins" in texts(await other.say(f"role change grant {aad_object_id} admin"))
    assert Role.ADMIN not in await _roles(patti, aad_object_id)
    assert Role.ADMIN in await _roles(patti, PATTI_AAD)
    assert await _history(patti) == []


async def test_a_participant_cannot_link_trainers_but_a_coordinator_can(patti: Conversation) -> None:
    alex = in_group(patti, ALEX_AAD, "Alex Wilber")
    refused = await alex.say(f"link trainer <at>{MEGAN}</at> {MULTI_RUN}", entities=[mention(MEGAN_ID, MEGAN)])
    assert "only for admins or coordinators" in texts(refused)
    assert "only for admins or coordinators" in texts(await alex.say(f"trainers {MULTI_RUN}"))
    assert "only for admins or coordinators" in texts(await alex.say("roles"))
    assert await _history(patti) == []

    adele = in_group(patti, COORDINATOR_AAD, "Adele Vance")
    [done] = await adele.say(f"link trainer <at>{MEGAN}</at> {MULTI_RUN}", entities=[mention(MEGAN_ID, MEGAN)])
    assert done.text == f"{MEGAN} now trains {MULTI_RUN}: they see its roster and decide its clashes. " + (
        "They were given the trainer role."
    )
    [trainers] = await adele.say(f"trainers {MULTI_RUN}")
    assert f"{MEGAN} (linked to Teams)" in card_text(trainers)
    [undone] = await adele.say(f"unlink trainer <at>{MEGAN}</at> {MULTI_RUN}", entities=[mention(MEGAN_ID, MEGAN)])
    assert undone.text == f"{MEGAN} no longer trains {MULTI_RUN}."
    actions = [(r.action, r.actor_name) for r in await _history(patti)]
    assert actions == [
        (AdminAction.UNLINK_TRAINER, "Adele Vance"),
        (AdminAction.GRANT, "Adele Vance"),
        (AdminAction.LINK_TRAINER, "Adele Vance"),
    ]


HOSTILE_MENTIONS: list[tuple[str, list[dict[str, Any]], str]] = [
    # A name typed, not mentioned: never taken as the person.
    (f"grant @{MEGAN} trainer", [], "Mention the person with @"),
    (f"grant <at>{MEGAN}</at> trainer", [], "Mention the person with @"),
    # Entities that are not mentions of anyone.
    ("grant <at>x</at> trainer", [{"type": "mention"}], "Mention the person with @"),
    ("grant <at>x</at> trainer", [{"type": "mention", "mentioned": "29:megan"}], "Mention the person with @"),
    ("grant <at>x</at> trainer", [{"type": "mention", "mentioned": {"id": "x" * 300}}], "Mention the person with @"),
    ("grant <at>x</at> trainer", [{"type": "mention", "mentioned": {"id": 7}}], "Mention the person with @"),
    # Only the bot is mentioned.
    ("grant <at>Classroom</at> trainer", [mention("28:bot-app-id", "Classroom")], "Mention the person with @"),
    # Two people at once.
    (
        f"grant <at>{MEGAN}</at> <at>Alex</at> trainer",
        [mention(MEGAN_ID, MEGAN), mention("29:alex", "Alex")],
        "Mention one person at a time",
    ),
    # Someone Teams does not list here, with an "Entra id" that is not one: looked up, not believed.
    ("grant <at>Eve</at> trainer", [mention("29:eve", "Eve", "x' OR '1'='1")], "Teams didn't tell me who that is"),
    # No role, or no such role.
    (f"grant <at>{MEGAN}</at>", [mention(MEGAN_ID, MEGAN)], "then the role"),
    (f"grant <at>{MEGAN}</at> overlord", [mention(MEGAN_ID, MEGAN)], "then the role"),
    (f"grant <at>{MEGAN}</at> participant", [mention(MEGAN_ID, MEGAN)], "then the role"),
    (f"grant <at>{MEGAN}</at> admin coordinator", [mention(MEGAN_ID, MEGAN)], "then the role"),
]


@pytest.mark.parametrize(("text", "entities", "said"), HOSTILE_MENTIONS)
async def test_hostile_or_missing_mentions_change_nothing(
    patti: Conversation, text: str, entities: list[dict[str, Any]], said: str
) -> None:
    [reply] = await patti.say(text, entities=entities)
    assert said in (reply.text or "")
    assert Role.TRAINER not in await _roles(patti, MEGAN_AAD)
    assert await _history(patti) == []


async def test_many_entities_are_not_all_read(patti: Conversation) -> None:
    flood = [{"type": "clientInfo"}] * 5000 + [mention(MEGAN_ID, MEGAN)]
    [reply] = await patti.say(f"grant <at>{MEGAN}</at> trainer", entities=flood)
    assert "Mention the person with @" in (reply.text or "")


async def test_a_name_with_markdown_is_shown_as_typed(patti: Conversation) -> None:
    name = "[Megan](https://ev.il) **Bowen**"
    members = [*MEMBERS, teams_member("aad-eve", name, "29:eve")]
    chat = in_group(patti, PATTI_AAD, PATTI)
    chat.members = members
    [question] = await chat.say(f"grant <at>{name}</at> trainer", entities=[mention("29:eve", name)])
    literal_runs = [
        inline["text"]
        for block in card_of(question)["body"]
        if block["type"] == "RichTextBlock"
        for inline in block["inlines"]
    ]
    assert name in literal_runs
    assert all(name not in block.get("text", "") for block in card_of(question)["body"])
    [linked] = await chat.say(f"link trainer <at>{name}</at> {MULTI_RUN}", entities=[mention("29:eve", name)])
    assert (
        (linked.text or "").startswith("Megan") and "](" not in (linked.text or "") and "**" not in (linked.text or "")
    )


async def test_a_mention_with_its_entra_id_needs_no_lookup(patti: Conversation) -> None:
    chat = Conversation(patti.session_factory, patti.services.clock, aad_object_id=PATTI_AAD, name=PATTI)
    [question] = await chat.say(f"grant <at>{MEGAN}</at> trainer", entities=[mention(MEGAN_ID, MEGAN, MEGAN_AAD)])
    await chat.tap(question, "Give the trainer role")
    assert Role.TRAINER in await _roles(patti, MEGAN_AAD)
