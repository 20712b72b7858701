"""Polls in a group chat through the production pipeline: a trainer links the chat to a run and posts a poll
with the quick form; people answer with the card's buttons (and their Submit fallbacks); the shared card, as the
outbox would send it, shows the counts; only the run's trainers and coordinators close it; a vote after the close
is refused with the final results."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.schema import Activity, ActivityTypes, Attachment, Entity

from bot.assembly import build_renderers
from bot.features import FEATURES
from classroom.polls.notices import CARD
from dialogs.cards.base import CARD_CONTENT_TYPE
from dialogs.polls.parts import CLOSE, VOTE
from dialogs.registry import FeatureRegistry
from tests.dialogs.test_enquiry_notifications import texts_by_element
from tests.support.bot_harness import BOT, LONDON, Conversation, button_titles, card_text, texts
from tests.support.enrolment import COORDINATOR_AAD, MULTI_RUN, OTHER_TRAINER_AAD, TRAINER_AAD, delivered, outbox
from tests.support.polls import GROUP_CHAT, as_sent, load_poll_world

QUICK = "poll Which principle comes first? | Presume capacity | Support to decide | Best interests"
RENDERERS = build_renderers(FeatureRegistry(FEATURES), LONDON)


class Chat:
    """Several people in one group chat with the bot, each mentioning it as Teams requires there."""

    def __init__(self, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
        self.session_factory, self.clock = session_factory, clock
        self.people: dict[str, Conversation] = {}

    def __call__(self, aad_object_id: str, name: str) -> Conversation:
        if aad_object_id not in self.people:
            self.people[aad_object_id] = Conversation(
                self.session_factory,
                self.clock,
                aad_object_id=aad_object_id,
                name=name,
                conversation_type="groupChat",
                conversation_id=GROUP_CHAT,
            )
        return self.people[aad_object_id]


async def say(person: Conversation, words: str) -> list[Activity]:
    """A message that mentions the bot, as Teams delivers it in a group chat."""
    mention = Entity().deserialize(
        {"type": "mention", "mentioned": {"id": BOT.id, "name": BOT.name}, "text": "<at>Classroom</at>"}
    )
    activity = Activity(type=ActivityTypes.message, text=f"<at>Classroom</at> {words}", entities=[mention])
    return await person._turn(activity)


async def shared_card(session_factory) -> tuple[Activity, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The newest poll card in the outbox, rendered as the dispatcher would post it now (and its payload, drawn
    from the tallies as the dispatcher draws it)."""
    rows = await outbox(session_factory, CARD, status=None)
    assert rows, "no poll card was queued"
    row = rows[-1]
    payload = await as_sent(session_factory, row)
    content = RENDERERS.render(row.kind, payload)["attachments"][0]["content"]
    card = Activity(
        type=ActivityTypes.message, attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=content)]
    )
    return card, payload["poll"]


@pytest.fixture
async def chat(session_factory, clock) -> Chat:
    await load_poll_world(session_factory)
    return Chat(session_factory, clock)


async def test_a_trainer_links_the_chat_posts_a_poll_and_the_room_answers(chat, session_factory) -> None:
    zoe = chat(TRAINER_AAD, "Zoe Rosenfield")
    [linked] = await say(zoe, "link permx-a")
    assert f"linked to **{MULTI_RUN}**" in linked.text and "Zoe Rosenfield" in linked.text
    assert await say(zoe, QUICK) == []  # the card is the answer, posted by the outbox
    card, poll = await shared_card(session_factory)
    assert button_titles(card) == ["1. Presume capacity", "2. Support to decide", "3. Best interests", "Close poll"]
    assert "Not anonymous" in card_text(card) and "No answers yet." in card_text(card)
    assert await delivered(session_factory, CARD) == 1

    alex, isaiah, lynne = (
        chat("aad-alex", "Alex Wilber"),
        chat("aad-isaiah", "Isaiah Langer"),
        chat("aad-lynne", "Lynne"),
    )
    answer, _ = await alex.tap(card, "1. Presume capacity")
    assert answer is not None
    mine = answer.body.value["fallbackText"]
    assert "You chose: Presume capacity" in mine and "press another answer to change it" in mine
    await isaiah.tap(card, "1. Presume capacity")
    await lynne.tap(card, "2. Support to decide")
    answer, _ = await lynne.tap(card, "3. Best interests")  # she changes her mind
    assert "You chose: Best interests" in answer.body.value["fallbackText"]

    card, poll = await shared_card(session_factory)
    [row] = await outbox(session_factory, CARD)  # pending again: Teams' copy is replaced in place
    assert row.activity_id is not None
    shown = card_text(card)
    assert "3 people answered." in shown
    assert "2 votes · 67%" in shown and "0 votes · 0%" in shown and "1 vote · 33%" in shown

    refused, _ = await alex.tap(card, "Close poll")
    assert "only the trainers of PERMX-A and coordinators can close this poll" in refused.body.value
    assert (await shared_card(session_factory))[1]["status"] == "open"

    closed, _ = await zoe.tap(card, "Close poll")
    assert "You closed the poll." in closed.body.value["fallbackText"]
    card, poll = await shared_card(session_factory)
    final = card_text(card)
    assert poll["status"] == "closed" and "Closed by Zoe Rosenfield" in final and "Final results" in final
    assert "3 people answered." in final and button_titles(card) == ["Download answers (CSV)"]  # for trainers

    late, _ = await isaiah.execute(VOTE, {"poll": poll["id"], "option": poll["options"][1]["id"]})
    late_card = late.body.value["fallbackText"]
    assert "This poll has closed" in late_card and "2 votes · 67%" in late_card


async def test_the_submit_fallbacks_vote_quietly_and_refuse_politely(chat, session_factory) -> None:
    zoe = chat(TRAINER_AAD, "Zoe Rosenfield")
    await say(zoe, "link PERMX-A")
    await say(zoe, QUICK)
    card, _ = await shared_card(session_factory)
    alex = chat("aad-alex", "Alex Wilber")
    _, sent = await alex.tap(card, "2. Support to decide", fallback=True)
    assert sent == []  # counted; nothing in the chat says what Alex chose
    assert "1 vote · 100%" in card_text((await shared_card(session_factory))[0])
    _, sent = await alex.tap(card, "Close poll", fallback=True)
    assert "only for" in texts(sent) and (await shared_card(session_factory))[1]["status"] == "open"
    _, sent = await zoe.tap(card, "Close poll", fallback=True)
    assert "final results" in texts(sent)
    _, sent = await alex.tap(card, "1. Presume capacity", fallback=True)
    assert "This poll has closed" in texts(sent)
    assert "1 vote · 100%" in card_text((await shared_card(session_factory))[0])


async def test_only_the_runs_trainers_and_coordinators_link_and_launch(chat, session_factory) -> None:
    alex, megan = chat("aad-alex", "Alex Wilber"), chat(OTHER_TRAINER_AAD, "Megan Bowen")
    assert "only for" in texts(await say(alex, "link PERMX-A"))
    assert "only the trainers of PERMX-A and coordinators" in texts(await say(megan, "link PERMX-A"))
    assert "isn't linked to a course run" in texts(await say(megan, "link"))
    assert "isn't linked to a course run" in texts(await say(megan, QUICK))
    adele = chat(COORDINATOR_AAD, "Adele Vance")
    assert "linked to **PERMX-A**" in texts(await say(adele, "link PERMX-A"))
    assert "only the trainers of PERMX-A" in texts(await say(megan, QUICK))
    assert "only for" in texts(await say(alex, QUICK))
    assert await outbox(session_factory, CARD, status=None) == []
    assert "no longer linked" in texts(await say(adele, "unlink"))


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("poll Which principle comes first?", "put | between the question and each option"),
        ("poll Which? | only one", "2 to 10 options; this one has 1"),
        ("poll Which? | " + " | ".join(str(n) for n in range(11)), "this one has 11"),
        ("poll " + "Q" * 241 + " | a | b", "longer than 240 characters"),
        ("poll Which? | a | " + "b" * 121, "option 2 is longer than 120 characters"),
        ("poll Which? | Yes | YES", "two options are the same"),
    ],
)
async def test_bad_quick_forms_say_what_is_wrong_and_post_nothing(chat, session_factory, typed, says) -> None:
    zoe = chat(TRAINER_AAD, "Zoe Rosenfield")
    await say(zoe, "link PERMX-A")
    assert says in texts(await say(zoe, typed))
    assert await outbox(session_factory, CARD, status=None) == []


async def test_an_anonymous_poll_says_so_and_its_buttons_take_only_its_own_options(chat, session_factory) -> None:
    zoe = chat(TRAINER_AAD, "Zoe Rosenfield")
    await say(zoe, "link PERMX-A")
    await say(zoe, "poll anonymous How confident are you? | Very | Not yet")
    card, poll = await shared_card(session_factory)
    assert poll["anonymous"] and "Anonymous: nobody, not even the trainers, can see who answered" in card_text(card)
    await say(zoe, QUICK)
    _, other = await shared_card(session_factory)
    alex = chat("aad-alex", "Alex Wilber")
    for data in (
        {"poll": poll["id"], "option": other["options"][0]["id"]},  # an option of another poll
        {"poll": poll["id"], "option": 2**31 - 1},
    ):
        refused, _ = await alex.execute(VOTE, data)
        assert refused.body.value == "Sorry, that answer isn't one of this poll's options. Nothing was recorded."
    for data in ({"poll": str(poll["id"]), "option": 1}, {"poll": True, "option": 1}, {"poll": -1}, {}):
        refused, _ = await alex.execute(VOTE, data)
        assert refused.body.value == "Sorry, that card is out of date."
    refused, _ = await alex.execute(CLOSE, {"poll": 2**40})
    assert refused.body.value == "Sorry, that card is out of date."
    assert "1 vote" not in card_text((await shared_card(session_factory))[0])


async def test_poll_commands_belong_to_group_chats_and_channels(session_factory, clock) -> None:
    await load_poll_world(session_factory)
    personal = Conversation(session_factory, clock, aad_object_id=TRAINER_AAD, name="Zoe Rosenfield")
    assert "Polls are posted in the session's chat" in texts(await personal.say(QUICK))  # prepared here instead
    assert "works in a group chat, meeting chat or channel" in texts(await personal.say("link PERMX-A"))


async def test_the_trainers_words_are_shown_literally_to_the_room(chat, session_factory) -> None:
    zoe = chat(TRAINER_AAD, "Zoe Rosenfield")
    await say(zoe, "link PERMX-A")
    await say(zoe, "poll Is **this** [safe](https://evil.example)? | <at>Everyone</at> | _no_")
    card, _ = await shared_card(session_factory)
    content = card.attachments[0].content
    places = {kind for kind, text in texts_by_element(content) if "evil.example" in text}
    assert places == {"TextRun"}
    option_places = {kind for kind, text in texts_by_element(content) if "<at>Everyone</at>" in text}
    assert option_places == {"TextRun", "Action.Execute", "Action.Submit"}  # button titles are never markdown


async def test_help_in_the_chat_offers_the_poll_commands_to_those_who_may_use_them(chat) -> None:
    trainer_help = texts(await say(chat(TRAINER_AAD, "Zoe Rosenfield"), "help"))
    assert "poll [Question | Option | Option]" in trainer_help and "link [RUN]" in trainer_help
    participant_help = texts(await say(chat("aad-alex", "Alex Wilber"), "help"))
    assert "poll" not in participant_help.lower() and "link [RUN]" not in participant_help
