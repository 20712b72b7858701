"""Presses that Teams may deliver twice, through the production pipeline: the compose card's Post (a double click,
a redelivery, its Submit fallback) posts its poll once, and a vote's redelivery after a change does not put the
first answer back (a vote's activity is claimed in the vote's own transaction)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from dialogs.polls import compose
from dialogs.polls.parts import COMPOSE_POST, COMPOSE_PREVIEW, VOTE
from storage.models import ActivityReceipt
from tests.dialogs.test_polls import QUICK, Chat, say, shared_card
from tests.support.bot_harness import card_of, card_text
from tests.support.enrolment import TRAINER_AAD, outbox
from tests.support.polls import load_poll_world

TYPED = {compose.QUESTION: "Which did you use?", compose.OPTIONS: "Capacity\nSupport"}


@pytest.fixture
async def chat(session_factory, clock) -> Chat:
    await load_poll_world(session_factory)
    return Chat(session_factory, clock)


@pytest.fixture
async def zoe(chat):  # type: ignore[no-untyped-def]
    trainer = chat(TRAINER_AAD, "Zoe Rosenfield")
    await say(trainer, "link PERMX-A")
    return trainer


def _buttons(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["title"]: a for a in content["body"][-1]["actions"]}


async def _cards(session_factory) -> int:  # type: ignore[no-untyped-def]
    return len(await outbox(session_factory, "polls.card", status=None))


async def test_a_compose_card_posts_its_poll_once_however_often_post_is_pressed(zoe, session_factory) -> None:
    [shown] = await say(zoe, "poll")
    card_id = _buttons(card_of(shown))["Preview"]["data"][compose.DRAFT]
    preview, _ = await zoe.execute(COMPOSE_PREVIEW, {**TYPED, compose.DRAFT: card_id})
    post = _buttons(preview.body.value)["Post"]
    assert post["data"] == {compose.DRAFT: card_id}  # the preview keeps the card's id for its Post
    assert post["fallback"]["data"][compose.DRAFT] == card_id
    for _ in range(2):  # a double click
        posted, _ = await zoe.execute(COMPOSE_POST, {**TYPED, **post["data"]})
        assert "Posted: its card is in the chat." in posted.body.value["fallbackText"]
    [fallback] = await zoe.submit({**post["fallback"]["data"], **TYPED})  # the same card's Submit fallback
    assert "Posted: its card is in the chat." in card_text(fallback)
    assert await _cards(session_factory) == 1
    [another] = await say(zoe, "poll")  # a new compose card is a new poll
    other_id = _buttons(card_of(another))["Preview"]["data"][compose.DRAFT]
    assert other_id != card_id
    await zoe.execute(COMPOSE_POST, {**TYPED, compose.DRAFT: other_id})
    assert await _cards(session_factory) == 2


async def test_a_refused_post_keeps_the_cards_id_and_posts_nothing(chat, zoe, session_factory) -> None:
    card_id = "compose-card-id-0001"
    refused, _ = await chat("aad-alex", "Alex").execute(COMPOSE_POST, {**TYPED, compose.DRAFT: card_id})
    assert "only the trainers of PERMX-A and coordinators" in refused.body.value["fallbackText"]
    assert _buttons(refused.body.value)["Preview"]["data"][compose.DRAFT] == card_id
    empty, _ = await zoe.execute(COMPOSE_POST, {compose.QUESTION: "", compose.DRAFT: card_id})
    assert "the question is empty" in empty.body.value["fallbackText"]
    assert await _cards(session_factory) == 0
    posted, _ = await zoe.execute(COMPOSE_POST, {**TYPED, compose.DRAFT: card_id})  # nothing consumed it
    assert "Posted: its card is in the chat." in posted.body.value["fallbackText"]
    assert await _cards(session_factory) == 1


async def test_a_tampered_card_id_is_ignored_not_trusted(zoe, session_factory) -> None:
    for tampered in ("x", "<b>" * 10, 12345678901234567890, "a" * 65):
        posted, _ = await zoe.execute(COMPOSE_POST, {**TYPED, compose.DRAFT: tampered})
        assert "Posted: its card is in the chat." in posted.body.value["fallbackText"]
    assert await _cards(session_factory) == 4  # no id: each press posts, as cards made before ids did


async def test_a_redelivered_vote_after_a_change_does_not_put_the_first_answer_back(chat, zoe, session_factory) -> None:
    await say(zoe, QUICK)
    _, poll = await shared_card(session_factory)
    first, second = (o["id"] for o in poll["options"][:2])
    alex = chat("aad-alex", "Alex Wilber")
    await alex.execute(VOTE, {"poll": poll["id"], "option": first}, activity_id="vote-press-1")
    await alex.execute(VOTE, {"poll": poll["id"], "option": second}, activity_id="vote-press-2")
    again, _ = await alex.execute(VOTE, {"poll": poll["id"], "option": first}, activity_id="vote-press-1")
    assert "Already received" in again.body.value
    _, poll = await shared_card(session_factory)
    assert [o["votes"] for o in poll["options"]] == [0, 1, 0]


async def test_a_vote_claims_its_activity_in_the_votes_own_transaction(chat, zoe, session_factory) -> None:
    """A refused vote (here: not an option) claims nothing, so its redelivery is checked again, not waved through
    as "already received"; a counted vote's claim is made with it (no claim of its own before the turn)."""
    await say(zoe, QUICK)
    _, poll = await shared_card(session_factory)
    alex = chat("aad-alex", "Alex Wilber")
    for _ in range(2):
        refused, _ = await alex.execute(VOTE, {"poll": poll["id"], "option": 999_999}, activity_id="vote-press-9")
        assert "isn't one of this poll's options" in refused.body.value
    counted, _ = await alex.execute(VOTE, {"poll": poll["id"], "option": poll["options"][0]["id"]}, activity_id="p-10")
    assert "You chose: Presume capacity" in counted.body.value["fallbackText"]
    async with session_factory() as session:
        claims = await session.scalar(select(func.count()).select_from(ActivityReceipt))
    again, _ = await alex.execute(VOTE, {"poll": poll["id"], "option": poll["options"][1]["id"]}, activity_id="p-10")
    assert "Already received" in again.body.value
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ActivityReceipt)) == claims
