"""A vote's counts are read once per vote for everyone's view and the launcher's (``views.poll_views``), and its
answer row is read and written with prebuilt statements for the kinds without picks (``answer_rows``). Whatever
path a vote takes, the counts it returns, the card it queues and a recount of the stored answers agree: after
first answers, changes, same answers again, refusals, and (PostgreSQL) two processes taking votes and changes
at once. A vote's activity claim is made in the vote's own transaction: a redelivery changes nothing, and a
refused answer claims nothing."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from classroom.polls.ballots import Choice, Picks, Words
from classroom.polls.errors import AnswerLocked, PollClosed
from classroom.polls.kinds import MultipleChoice, OpenText, PollDraft, Rating
from classroom.polls.notices import CARD, RESULTS
from classroom.polls.polls import Voter
from classroom.polls.service import PollService
from classroom.polls.views import PollView
from classroom.receipts import AlreadyTaken
from storage.engine import create_engine, create_session_factory
from storage.models import PollVote, PollVotePick
from tests.support.enrolment import outbox
from tests.support.polls import GROUP_CHAT, MULTI_RUN, ZOE, as_sent, chat_info, draft


async def _recount(session_factory, poll_id: int) -> tuple[int, dict[int, int]]:  # type: ignore[no-untyped-def]
    """(voters, votes per option) straight from the stored rows, in Python: no query the views use."""
    async with session_factory() as session:
        votes = (await session.scalars(select(PollVote).where(PollVote.poll_id == poll_id))).all()
        picks = (
            await session.scalars(select(PollVotePick).where(PollVotePick.vote_id.in_([v.id for v in votes])))
        ).all()
    counts = Counter(v.option_id for v in votes if v.option_id is not None)
    counts.update(p.option_id for p in picks)
    return len(votes), dict(counts)


def _shown(view: PollView) -> tuple[int, dict[int, int]]:
    return view.voters, {o.id: o.votes for o in view.options if o.votes}


async def _card(session_factory, kind: str = CARD) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The card as the dispatcher sends it now (drawn from the tallies: votes do not rewrite its row)."""
    [row] = await outbox(session_factory, kind, status=None)
    return (await as_sent(session_factory, row))["poll"]


@pytest.fixture
async def linked(polls):  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    return polls


async def test_every_vote_returns_and_queues_counts_equal_to_a_recount(linked, session_factory, clock) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    a, b, c = (o.id for o in poll.options)
    steps = [("1", a), ("2", a), ("3", b), ("1", c), ("2", a), ("4", c), ("3", a), ("1", b)]  # changes, a repeat
    for who, option in steps:
        clock.advance(timedelta(seconds=1))
        outcome = await linked.vote(poll.id, option, Voter(f"aad-{who}", f"Voter {who}", f"29:{who}"))
        assert _shown(outcome.view) == await _recount(session_factory, poll.id)
        assert await _card(session_factory) == outcome.view.model_dump(mode="json")  # the card sent is the same
    assert _shown(await linked.poll(poll.id)) == (4, {a: 2, b: 1, c: 1})
    assert (await linked.poll(poll.id)).recent_voters == ["29:1", "29:3", "29:4", "29:2"]  # newest first


async def test_kinds_with_picks_and_words_count_alike_on_both_paths(linked, session_factory) -> None:
    multiple = await linked.launch(GROUP_CHAT, PollDraft("Which?", MultipleChoice(("A", "B", "C"), 2)), by=ZOE)
    a, b, c = (o.id for o in multiple.options)
    for who, picks in [("1", {a, b}), ("2", {b}), ("1", {c}), ("3", {a, c})]:
        outcome = await linked.answer(multiple.id, Picks(frozenset(picks)), Voter(f"aad-{who}", who))
        assert _shown(outcome.view) == await _recount(session_factory, multiple.id)
    assert _shown(await linked.poll(multiple.id)) == (3, {a: 1, b: 1, c: 2})
    words = await linked.launch(GROUP_CHAT, PollDraft("Why?", OpenText()), by=ZOE)
    for who, said in [("1", "listen first"), ("2", "ask"), ("1", "listen again")]:
        outcome = await linked.answer(words.id, Words(said), Voter(f"aad-{who}", who))
        assert outcome.view.voters == (await _recount(session_factory, words.id))[0]
    launchers = await _card(session_factory, RESULTS)
    assert launchers["id"] == words.id and launchers["answers"] == ["ask", "listen again"]  # newest first
    rating = await linked.launch(GROUP_CHAT, PollDraft("Useful?", Rating("No", "Yes")), by=ZOE)
    for who, score in [("1", 4), ("2", 5), ("1", 2)]:
        option = rating.options[score - 1].id
        outcome = await linked.answer(rating.id, Choice(option), Voter(f"aad-{who}", who))
        assert _shown(outcome.view) == await _recount(session_factory, rating.id)
    assert (await linked.poll(rating.id)).mean_rating == 3.5


async def test_a_redelivered_vote_changes_nothing_and_a_refused_one_claims_nothing(linked, session_factory) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(changeable=True), by=ZOE)
    a, b, _c = (o.id for o in poll.options)
    alex = Voter("aad-alex", "Alex Wilber")
    await linked.answer(poll.id, Choice(a), alex, receipt="press-1")
    await linked.answer(poll.id, Choice(b), alex, receipt="press-2")
    with pytest.raises(AlreadyTaken):  # Teams sends the first press again, after the change
        await linked.answer(poll.id, Choice(a), alex, receipt="press-1")
    assert _shown(await linked.poll(poll.id)) == (1, {b: 1})
    locked = await linked.launch(GROUP_CHAT, draft(changeable=False), by=ZOE)
    await linked.answer(locked.id, Choice(locked.options[0].id), alex, receipt="press-3")
    with pytest.raises(AnswerLocked):
        await linked.answer(locked.id, Choice(locked.options[1].id), alex, receipt="press-4")
    await linked.close(poll.id, by=ZOE)
    with pytest.raises(PollClosed):
        await linked.answer(poll.id, Choice(a), Voter("aad-isaiah", "Isaiah"), receipt="press-5")
    # neither refusal took its activity: a redelivery of either is refused again for its reason, not as a repeat
    with pytest.raises(AnswerLocked):
        await linked.answer(locked.id, Choice(locked.options[1].id), alex, receipt="press-4")
    with pytest.raises(PollClosed):
        await linked.answer(poll.id, Choice(a), Voter("aad-isaiah", "Isaiah"), receipt="press-5")


async def test_a_compose_card_posts_its_poll_once(linked, session_factory, db_url) -> None:
    first = await linked.launch(GROUP_CHAT, draft(), by=ZOE, draft_id="card-0123456789abcdef")
    with pytest.raises(AlreadyTaken):
        await linked.launch(GROUP_CHAT, draft(), by=ZOE, draft_id="card-0123456789abcdef")
    other = await linked.launch(GROUP_CHAT, draft(), by=ZOE, draft_id="card-fedcba9876543210")
    assert other.id != first.id
    assert len(await outbox(session_factory, CARD, status=None)) == 2


async def test_two_presses_of_post_at_once_post_one_poll(linked, session_factory, clock, db_url) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one transaction at a time: there is no race to lose")
    second = create_engine(str(session_factory.kw["bind"].url.render_as_string(hide_password=False)))
    try:
        processes = [linked, PollService(create_session_factory(second), clock)]
        presses = await asyncio.gather(
            *(p.launch(GROUP_CHAT, draft(), by=ZOE, draft_id="card-double-click-0001") for p in processes),
            return_exceptions=True,
        )
    finally:
        await second.dispose()
    assert sorted(type(p).__name__ for p in presses) == ["AlreadyTaken", "PollView"]
    assert len(await outbox(session_factory, CARD, status=None)) == 1


async def test_two_processes_taking_votes_and_changes_keep_counts_equal_to_a_recount(
    linked, session_factory, clock, db_url
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one transaction at a time: there is no race to lose")
    poll = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    options = [o.id for o in poll.options]
    second = create_engine(str(session_factory.kw["bind"].url.render_as_string(hide_password=False)))
    try:
        processes = [linked, PollService(create_session_factory(second), clock)]
        voters = [Voter(f"aad-voter-{n}", f"Voter {n}", f"29:voter-{n}") for n in range(45)]
        await asyncio.gather(*(processes[n % 2].vote(poll.id, options[n % 3], v) for n, v in enumerate(voters)))
        # every third voter changes their answer on the other process, twice, while others press again
        await asyncio.gather(
            *(processes[(n + 1) % 2].vote(poll.id, options[(n + 1) % 3], v) for n, v in enumerate(voters[::3])),
            *(processes[n % 2].vote(poll.id, options[(n + 2) % 3], v) for n, v in enumerate(voters[::3])),
            *(processes[n % 2].vote(poll.id, options[n % 3], v) for n, v in enumerate(voters) if n % 3),
        )
    finally:
        await second.dispose()
    recount = await _recount(session_factory, poll.id)
    assert recount[0] == 45 and sum(recount[1].values()) == 45
    assert _shown(await linked.poll(poll.id)) == recount
    card = await _card(session_factory)  # the last update carries the final counts
    assert (card["voters"], {o["id"]: o["votes"] for o in card["options"] if o["votes"]}) == recount
