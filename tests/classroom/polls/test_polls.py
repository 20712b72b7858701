"""Launching, answering and closing a single-choice poll: bounds, who may, one answer per person, changes,
refusals, and the shared card queued and replaced through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.outbox.claims import OutboxStore, Outcome
from classroom.polls.errors import AnswerLocked, NotAnOption, NotLinked, PollClosed
from classroom.polls.kinds import PollDraft, SingleChoice
from classroom.polls.notices import CARD
from classroom.polls.polls import Voter
from storage.models import NotificationStatus, OutboxNotification, PollStatus, PollVote
from tests.support.enrolment import delivered, outbox
from tests.support.polls import (
    ADELE,
    ALEX,
    GROUP_CHAT,
    ISAIAH,
    LYNNE,
    MEGAN,
    MULTI_RUN,
    OPTIONS,
    QUESTION,
    ZOE,
    as_sent,
    chat_info,
    draft,
)

ALEX_V, ISAIAH_V, LYNNE_V = Voter(ALEX, "Alex Wilber"), Voter(ISAIAH, "Isaiah Langer"), Voter(LYNNE, "Lynne Robbins")


@pytest.fixture
async def linked(polls):
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    return polls


async def card_rows(session_factory) -> list[OutboxNotification]:
    return await outbox(session_factory, CARD, status=None)


async def test_a_poll_posts_its_card_to_the_linked_chat_with_the_defaults(linked, session_factory) -> None:
    view = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    assert (view.question, [o.text for o in view.options]) == (QUESTION, list(OPTIONS))
    assert (view.anonymous, view.changeable, view.results.value, view.status) == (False, True, "live", PollStatus.OPEN)
    assert (view.run_code, view.launched_by_name, view.voters) == (MULTI_RUN, "Zoe Rosenfield", 0)
    [row] = await card_rows(session_factory)
    assert (row.dedupe_key, row.conversation_key) == (f"poll-card:{view.id}:chat", GROUP_CHAT)
    assert row.payload["poll"]["question"] == QUESTION


async def test_a_coordinator_may_launch_and_nobody_else_but_the_runs_trainers(linked, session_factory) -> None:
    await linked.launch(GROUP_CHAT, draft(), by=ADELE)
    for who in (MEGAN, ALEX_V):
        with pytest.raises(NotAllowed):
            await linked.launch(GROUP_CHAT, draft(), by=who)
    assert len(await card_rows(session_factory)) == 1


async def test_a_chat_with_no_run_gets_no_poll(polls, session_factory) -> None:
    with pytest.raises(NotLinked):
        await polls.launch(GROUP_CHAT, draft(), by=ADELE)
    assert await card_rows(session_factory) == []


@pytest.mark.parametrize(
    ("question", "options", "says"),
    [
        ("Q" * 241, ("a", "b"), "longer than 240 characters"),
        ("   ", ("a", "b"), "question is empty"),
        ("Q?", ("only one",), "2 to 10 options; this one has 1"),
        ("Q?", tuple(f"o{n}" for n in range(11)), "2 to 10 options; this one has 11"),
        ("Q?", ("a", "x" * 121), "option 2 is longer than 120 characters"),
        ("Q?", ("a", "\u200b "), "an option is empty"),
        ("Q?", ("Yes", "yes "), "two options are the same"),
    ],
)
async def test_bad_drafts_are_refused_saying_why(linked, session_factory, question, options, says) -> None:
    with pytest.raises(InvalidInput, match=says):
        await linked.launch(GROUP_CHAT, PollDraft(question, SingleChoice(options)), by=ZOE)
    assert await card_rows(session_factory) == []


async def test_the_longest_question_and_options_are_taken(linked) -> None:
    options = tuple(f"{n}" + "é" * 119 for n in range(10))
    view = await linked.launch(GROUP_CHAT, PollDraft("é" * 240, SingleChoice(options)), by=ZOE)
    assert len(view.question) == 240 and [o.text for o in view.options] == list(options)


async def test_one_answer_per_person_a_repeat_counts_once_and_a_change_moves_it(linked, session_factory) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    first, second, third = (o.id for o in poll.options)
    outcome = await linked.vote(poll.id, first, ALEX_V)
    assert (outcome.chosen, outcome.counted, outcome.changed) == ("Presume capacity", True, False)
    again = await linked.vote(poll.id, first, ALEX_V)  # a double click, or a second press
    assert (again.counted, again.view.voters) == (False, 1)
    await linked.vote(poll.id, first, ISAIAH_V)
    await linked.vote(poll.id, second, LYNNE_V)
    changed = await linked.vote(poll.id, third, LYNNE_V)
    assert (changed.changed, changed.chosen) == (True, "Best interests")
    assert [o.votes for o in changed.view.options] == [2, 0, 1] and changed.view.voters == 3
    assert changed.view.percent(changed.view.options[0]) == 67
    async with session_factory() as session:
        named = (await session.execute(select(PollVote.voter_key, PollVote.voter_name))).all()
    assert sorted(named) == [(ALEX, "Alex Wilber"), (ISAIAH, "Isaiah Langer"), (LYNNE, "Lynne Robbins")]


async def test_an_option_of_another_poll_or_none_is_refused(linked, session_factory) -> None:
    one = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    other = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    with pytest.raises(NotAnOption):
        await linked.vote(one.id, other.options[0].id, ALEX_V)
    with pytest.raises(NotAnOption):
        await linked.vote(one.id, 2**31 - 1, ALEX_V)
    with pytest.raises(NotFound):
        await linked.vote(2**31 - 1, one.options[0].id, ALEX_V)
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(PollVote)) == 0


async def test_answers_that_cannot_be_changed_stay(linked) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(changeable=False), by=ZOE)
    await linked.vote(poll.id, poll.options[0].id, ALEX_V)
    with pytest.raises(AnswerLocked) as locked:
        await linked.vote(poll.id, poll.options[1].id, ALEX_V)
    assert locked.value.chosen == "Presume capacity" and [o.votes for o in locked.value.view.options] == [1, 0, 0]
    assert (await linked.vote(poll.id, poll.options[0].id, ALEX_V)).counted is False  # the same answer again is fine


async def test_only_the_runs_trainers_and_coordinators_close_and_a_vote_after_is_refused_with_the_results(
    linked, session_factory, clock
) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    await linked.vote(poll.id, poll.options[1].id, ALEX_V)
    for who in (MEGAN, ISAIAH_V):
        with pytest.raises(NotAllowed):
            await linked.close(poll.id, by=who)
    assert (await linked.poll(poll.id)).status is PollStatus.OPEN  # nothing changed
    clock.advance(timedelta(minutes=3))
    closed = await linked.close(poll.id, by=ADELE)
    assert not closed.already_closed
    final = closed.view
    assert (final.status, final.closed_by_name, final.closed_at, final.voters) == (
        PollStatus.CLOSED,
        "Adele Vance",
        clock.now(),
        1,
    )
    with pytest.raises(PollClosed) as refused:
        await linked.vote(poll.id, poll.options[0].id, ISAIAH_V)
    assert refused.value.view == final
    assert (await linked.close(poll.id, by=ZOE)).already_closed  # a second press changes nothing
    assert (await linked.poll(poll.id)).closed_by_name == "Adele Vance"
    [row] = await card_rows(session_factory)
    assert row.payload["poll"]["status"] == "closed" and row.payload["poll"]["options"][1]["votes"] == 1


async def test_the_card_is_replaced_in_place_at_most_once_a_second_and_always_at_close(
    linked, session_factory, clock
) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    start = clock.now()
    assert await delivered(session_factory, CARD, at=start) == 1  # Teams has the card now
    clock.advance(timedelta(seconds=5))
    await linked.vote(poll.id, poll.options[0].id, ALEX_V)
    [row] = await card_rows(session_factory)
    assert (row.status, row.due_at) == (NotificationStatus.PENDING, start + timedelta(seconds=5))  # at once
    await delivered(session_factory, CARD, at=clock.now())
    clock.advance(timedelta(milliseconds=200))
    await linked.vote(poll.id, poll.options[1].id, ISAIAH_V)
    clock.advance(timedelta(milliseconds=300))
    await linked.vote(poll.id, poll.options[1].id, LYNNE_V)
    [row] = await card_rows(session_factory)  # one row, one update, with the newest counts when it goes
    # a second after the change that made it due (the last update went less than a second before it), not sooner
    assert row.due_at == start + timedelta(seconds=6, milliseconds=200)
    assert row.next_attempt_at == row.due_at
    assert [o["votes"] for o in (await as_sent(session_factory, row))["poll"]["options"]] == [1, 2, 0]
    clock.advance(timedelta(milliseconds=100))
    await linked.close(poll.id, by=ZOE)
    [row] = await card_rows(session_factory)  # the close joins the update already waiting
    assert row.due_at == start + timedelta(seconds=6, milliseconds=200) and row.payload["poll"]["status"] == "closed"


async def test_the_final_card_goes_a_second_after_the_last_update(linked, session_factory, clock) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    await linked.vote(poll.id, poll.options[0].id, ALEX_V)
    await delivered(session_factory, CARD, at=clock.now())
    clock.advance(timedelta(milliseconds=400))
    await linked.close(poll.id, by=ZOE)
    [row] = await card_rows(session_factory)
    assert (row.status, row.payload["poll"]["status"]) == (NotificationStatus.PENDING, "closed")
    assert row.due_at == clock.now() + timedelta(milliseconds=600)


async def test_a_vote_committed_after_the_card_was_drawn_sends_the_card_again(linked, session_factory, clock) -> None:
    """The dispatcher draws the card from the tallies once it has claimed it; a vote committed after that finds
    the card being sent and makes it go again (a second later), so the last update always has every vote."""
    poll = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    await delivered(session_factory, CARD, at=clock.now())
    clock.advance(timedelta(seconds=5))
    await linked.vote(poll.id, poll.options[0].id, ALEX_V)
    store = OutboxStore(session_factory, "dispatcher-1")
    [claim] = await store.claim(clock.now(), 10)
    [row] = await card_rows(session_factory)
    assert (await as_sent(session_factory, row))["poll"]["voters"] == 1  # drawn: what goes to Teams now
    await linked.vote(poll.id, poll.options[1].id, ISAIAH_V)  # committed after the card was drawn
    sent = Outcome(claim, NotificationStatus.SENT, clock.now(), activity_id="msg-1", conversation_id="a:chat")
    assert await store.record([sent]) == [True]
    [row] = await card_rows(session_factory)
    assert (row.status, row.due_at) == (NotificationStatus.PENDING, clock.now() + timedelta(seconds=1))
    assert (await as_sent(session_factory, row))["poll"]["voters"] == 2
