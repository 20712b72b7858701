"""Votes and the close under concurrency (PostgreSQL; SQLite runs one transaction at a time, so there is no race
to lose): a vote racing the close is counted in the final results or refused with them, never counted after;
two processes taking votes for one poll at once keep the tallies, and the card's last update, exact."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from classroom.polls import polls as units
from classroom.polls.errors import PollClosed
from classroom.polls.notices import CARD
from classroom.polls.polls import Voter
from classroom.polls.service import PollService
from storage.engine import create_engine, create_session_factory
from storage.models import NotificationStatus, PollVote
from tests.support.enrolment import delivered, outbox
from tests.support.polls import GROUP_CHAT, MULTI_RUN, ZOE, as_sent, chat_info, draft
from tests.support.races import postgres_only, race, someone_waits_for_a_lock

ALEX = Voter("aad-alex", "Alex Wilber")


@pytest.fixture
async def poll(polls, db_url):  # type: ignore[no-untyped-def]
    postgres_only(db_url)
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    return await polls.launch(GROUP_CHAT, draft(), by=ZOE)


async def _votes(session_factory) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(PollVote)) or 0)


async def test_a_vote_committing_while_the_close_waits_is_in_the_final_results(
    poll, session_factory, engine, clock
) -> None:
    option = poll.options[0].id
    vote, closed = await race(
        session_factory,
        engine,
        lambda s: units.vote(s, poll.id, option, ALEX, now=clock.now()),
        lambda s: units.close(s, poll.id, by=ZOE, now=clock.now()),
    )
    assert vote.counted and closed.view.voters == 1 and closed.view.options[0].votes == 1
    [card] = await outbox(session_factory, CARD, status=None)
    assert card.payload["poll"]["status"] == "closed" and card.payload["poll"]["voters"] == 1


async def test_a_vote_waiting_while_the_close_commits_is_refused_with_the_final_results(
    poll, session_factory, engine, clock
) -> None:
    option = poll.options[0].id
    closed, vote = await race(
        session_factory,
        engine,
        lambda s: units.close(s, poll.id, by=ZOE, now=clock.now()),
        lambda s: units.vote(s, poll.id, option, ALEX, now=clock.now()),
    )
    assert isinstance(vote, PollClosed) and vote.view == closed.view and closed.view.voters == 0
    assert await _votes(session_factory) == 0  # never counted after the close
    [card] = await outbox(session_factory, CARD, status=None)
    assert card.payload["poll"]["voters"] == 0


async def test_votes_racing_a_close_are_each_counted_in_the_final_results_or_refused(
    poll, session_factory, clock
) -> None:
    """40 voters and a close from two processes at once: every vote the bot accepted is in the final results,
    every one it refused is nowhere."""
    second = create_engine(str(session_factory.kw["bind"].url.render_as_string(hide_password=False)))
    try:
        processes = [PollService(session_factory, clock), PollService(create_session_factory(second), clock)]
        voters = [Voter(f"aad-racer-{n}", f"Racer {n}") for n in range(40)]

        async def vote(n: int, voter: Voter) -> bool:
            try:
                await processes[n % 2].vote(poll.id, poll.options[n % 3].id, voter)
            except PollClosed:
                return False
            return True

        async def close_midway() -> units.CloseOutcome:
            await asyncio.sleep(0)  # let the first votes start
            return await processes[1].close(poll.id, by=ZOE)

        *accepted, closed = await asyncio.gather(*(vote(n, v) for n, v in enumerate(voters)), close_midway())
    finally:
        await second.dispose()
    assert closed.view.voters == sum(accepted) == await _votes(session_factory)
    assert [o.votes for o in closed.view.options] == [
        sum(ok for n, ok in enumerate(accepted) if n % 3 == i) for i in range(3)
    ]


async def test_two_processes_taking_votes_for_one_poll_keep_exact_tallies(poll, session_factory, clock) -> None:
    await delivered(session_factory, CARD, at=clock.now())  # Teams has the card: every vote must update it
    second = create_engine(str(session_factory.kw["bind"].url.render_as_string(hide_password=False)))
    try:
        processes = [PollService(session_factory, clock), PollService(create_session_factory(second), clock)]
        voters = [Voter(f"aad-voter-{n}", f"Voter {n}") for n in range(60)]
        await asyncio.gather(
            *(processes[n % 2].vote(poll.id, poll.options[n % 3].id, v) for n, v in enumerate(voters)),
            # the same people pressing again (a double click reaching the other process) count once
            *(processes[(n + 1) % 2].vote(poll.id, poll.options[n % 3].id, v) for n, v in enumerate(voters[:20])),
        )
    finally:
        await second.dispose()
    view = await processes[0].poll(poll.id)
    assert (view.voters, [o.votes for o in view.options]) == (60, [20, 20, 20])
    [card] = await outbox(session_factory, CARD, status=None)  # the last update carries the final counts
    assert card.status is NotificationStatus.PENDING  # due again: Teams has an older card
    assert [o["votes"] for o in (await as_sent(session_factory, card))["poll"]["options"]] == [20, 20, 20]


async def test_a_multiple_choice_vote_racing_the_close_is_counted_with_its_picks_or_refused(
    polls, session_factory, engine, clock, db_url
) -> None:
    from classroom.polls.ballots import Picks
    from classroom.polls.kinds import MultipleChoice, PollDraft

    postgres_only(db_url)
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, PollDraft("Which?", MultipleChoice(("a", "b", "c"), 2)), by=ZOE)
    picks = Picks(frozenset({poll.options[0].id, poll.options[2].id}))
    vote, closed = await race(
        session_factory,
        engine,
        lambda s: units.answer(s, poll.id, picks, ALEX, now=clock.now()),
        lambda s: units.close(s, poll.id, by=ZOE, now=clock.now()),
    )
    assert vote.counted and [o.votes for o in closed.view.options] == [1, 0, 1] and closed.view.voters == 1
    other = await polls.launch(GROUP_CHAT, PollDraft("Which?", MultipleChoice(("a", "b", "c"), 2)), by=ZOE)
    closed, late = await race(
        session_factory,
        engine,
        lambda s: units.close(s, other.id, by=ZOE, now=clock.now()),
        lambda s: units.answer(s, other.id, Picks(frozenset({other.options[1].id})), ALEX, now=clock.now()),
    )
    assert isinstance(late, PollClosed) and late.view.voters == 0 and closed.view.voters == 0


async def test_a_vote_racing_the_timer_is_counted_before_it_closes_or_refused(
    polls, session_factory, engine, clock, db_url
) -> None:
    from datetime import timedelta

    from classroom.polls.kinds import PollDraft, PollSettings, SingleChoice

    postgres_only(db_url)
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    timed = PollDraft("Which?", SingleChoice(("a", "b")), PollSettings(closes_after_minutes=1))
    first = await polls.launch(GROUP_CHAT, timed, by=ZOE)
    clock.advance(timedelta(minutes=1))
    vote, closed = await race(
        session_factory,
        engine,
        lambda s: units.vote(s, first.id, first.options[0].id, ALEX, now=clock.now()),
        lambda s: units.close_due_polls(s, now=clock.now()),
    )
    assert vote.counted and closed == 1 and (await polls.poll(first.id)).voters == 1
    second = await polls.launch(GROUP_CHAT, timed, by=ZOE)
    clock.advance(timedelta(minutes=1))
    closed, late = await race(
        session_factory,
        engine,
        lambda s: units.close_due_polls(s, now=clock.now()),
        lambda s: units.vote(s, second.id, second.options[0].id, ALEX, now=clock.now()),
    )
    assert closed == 1 and isinstance(late, PollClosed) and (await polls.poll(second.id)).voters == 0


# A vote that waited for another vote's transaction would wait here for good: the bound turns that into a failure.
NOT_BLOCKED = 10.0


async def test_two_votes_for_one_poll_do_not_wait_for_each_other(poll, polls, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    isaiah = Voter("aad-isaiah", "Isaiah Langer")

    async def second_vote() -> units.VoteOutcome:
        async with session_factory.begin() as session:
            return await units.vote(session, poll.id, poll.options[1].id, isaiah, now=clock.now())

    async with session_factory.begin() as session:
        first = await units.vote(session, poll.id, poll.options[0].id, ALEX, now=clock.now())
        # the first vote's transaction is still open (it holds the poll's lock) while the second commits
        second = await asyncio.wait_for(second_vote(), NOT_BLOCKED)
    assert first.counted and second.counted and second.view.voters == 1  # the first was not committed yet
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [1, 1, 0]


async def test_the_close_waits_for_every_vote_in_flight_and_counts_them_all(
    poll, session_factory, engine, clock
) -> None:
    isaiah = Voter("aad-isaiah", "Isaiah Langer")

    async def close() -> units.CloseOutcome:
        async with session_factory.begin() as session:
            return await units.close(session, poll.id, by=ZOE, now=clock.now())

    async def vote_in(session, option: int, voter: Voter) -> units.VoteOutcome:  # type: ignore[no-untyped-def]
        return await units.vote(session, poll.id, poll.options[option].id, voter, now=clock.now())

    async with session_factory.begin() as first:
        await vote_in(first, 0, ALEX)
        async with session_factory.begin() as second:
            await asyncio.wait_for(vote_in(second, 2, isaiah), NOT_BLOCKED)  # beside the first, not after it
            closing = asyncio.create_task(close())
            await asyncio.wait_for(someone_waits_for_a_lock(engine), 30)
        # the second vote committed; the close still waits for the first
    closed = await closing
    assert [o.votes for o in closed.view.options] == [1, 0, 1] and closed.view.voters == 2
    [card] = await outbox(session_factory, CARD, status=None)
    assert card.payload["poll"]["status"] == "closed" and card.payload["poll"]["voters"] == 2


async def test_one_persons_two_presses_at_once_count_once(poll, polls, session_factory, engine, clock) -> None:  # type: ignore[no-untyped-def]
    """Votes no longer queue on the poll: the unique key (poll, voter) keeps the second press of a first answer
    waiting for the first, which it then finds (the same answer: not counted again; another: a change)."""
    same = poll.options[0].id
    first, again = await race(
        session_factory,
        engine,
        lambda s: units.vote(s, poll.id, same, ALEX, now=clock.now()),
        lambda s: units.vote(s, poll.id, same, ALEX, now=clock.now()),
    )
    assert first.counted and not isinstance(again, BaseException) and not again.counted
    assert (await polls.poll(poll.id)).voters == 1
    isaiah = Voter("aad-isaiah", "Isaiah Langer")
    first, changed = await race(
        session_factory,
        engine,
        lambda s: units.vote(s, poll.id, poll.options[1].id, isaiah, now=clock.now()),
        lambda s: units.vote(s, poll.id, poll.options[2].id, isaiah, now=clock.now()),
    )
    assert first.counted and not isinstance(changed, BaseException) and changed.counted and changed.changed
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [1, 0, 1]


async def test_votes_that_keep_coming_do_not_keep_the_close_waiting(poll, polls, session_factory) -> None:  # type: ignore[no-untyped-def]
    """Voters changing their answers again and again, with always some vote in flight (more voters than pooled
    connections): the close still comes next (the votes after it wait for it and are refused), and what it
    publishes is what stays counted. With row locks alone the close waited for as long as the votes came."""
    everyone = 32
    voted: set[int] = set()
    all_voted = asyncio.Event()

    async def keep_voting(n: int) -> None:
        voter = Voter(f"aad-busy-{n}", f"Busy {n}")
        for i in range(10_000):
            try:
                await polls.vote(poll.id, poll.options[(n + i) % 3].id, voter)
            except PollClosed:
                return
            voted.add(n)
            if len(voted) == everyone:
                all_voted.set()

    voters = [asyncio.create_task(keep_voting(n)) for n in range(everyone)]
    try:
        await asyncio.wait_for(all_voted.wait(), NOT_BLOCKED * 3)
        closed = await asyncio.wait_for(polls.close(poll.id, by=ZOE), NOT_BLOCKED)
    finally:
        await asyncio.wait_for(asyncio.gather(*voters), NOT_BLOCKED * 3)
    after = await polls.poll(poll.id)
    assert closed.view.voters == after.voters == everyone  # nothing counted after the close
    assert [o.votes for o in closed.view.options] == [o.votes for o in after.options]


async def test_a_counted_vote_stands_when_its_card_cannot_be_marked_for_an_update(  # type: ignore[no-untyped-def]
    poll, polls, monkeypatch
) -> None:
    """On PostgreSQL the card is marked due after the vote commits; if that fails, the voter still hears that their
    vote counted (it did), rather than an error inviting a redelivery that would find it and change nothing."""

    async def fails(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr("classroom.polls.service.notices.card_changed", fails)
    outcome = await polls.vote(poll.id, poll.options[0].id, ALEX)
    assert outcome.counted and outcome.view.voters == 1
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [1, 0, 0]
