"""Poll settings in the domain: results live, after close or to the launcher only (who then gets every result in
their 1:1 chat); answers that cannot be changed; closing by itself after N minutes, once, however many processes
run the job, with the final card saying so."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from classroom.errors import InvalidInput
from classroom.periodic import run_once_per_period
from classroom.polls import polls as units
from classroom.polls.jobs import CLOSING_JOB
from classroom.polls.kinds import PollDraft, PollSettings, SingleChoice
from classroom.polls.notices import CARD, RESULTS
from classroom.polls.polls import Voter
from classroom.polls.service import PollService
from storage.engine import create_engine, create_session_factory
from storage.models import PollResults, PollStatus
from tests.support.enrolment import outbox
from tests.support.polls import GROUP_CHAT, MULTI_RUN, OPTIONS, QUESTION, ZOE, as_sent, chat_info

ALEX = Voter("aad-alex", "Alex Wilber")


@pytest.fixture
async def linked(polls):
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    return polls


async def launch(polls, **settings):  # type: ignore[no-untyped-def]
    return await polls.launch(GROUP_CHAT, PollDraft(QUESTION, SingleChoice(OPTIONS), PollSettings(**settings)), by=ZOE)


async def test_results_after_close_are_hidden_from_the_chat_until_then_and_live_for_the_launcher(
    linked, session_factory
) -> None:
    poll = await launch(linked, results=PollResults.AFTER_CLOSE)
    outcome = await linked.vote(poll.id, poll.options[0].id, ALEX)
    assert not outcome.view.results_shown and [o.votes for o in outcome.view.options] == [0, 0, 0]
    assert outcome.view.voters == 1 and outcome.chosen == "Presume capacity"  # the voter still sees their answer
    [chat_card] = await outbox(session_factory, CARD, status=None)
    sent = await as_sent(session_factory, chat_card)
    assert [o["votes"] for o in sent["poll"]["options"]] == [0, 0, 0]  # not even sent
    [mine] = await outbox(session_factory, RESULTS, status=None)
    assert mine.recipient_aad_object_id == ZOE.aad_object_id and mine.conversation_key is None
    assert [o["votes"] for o in (await as_sent(session_factory, mine))["poll"]["options"]] == [1, 0, 0]
    closed = await linked.close(poll.id, by=ZOE)
    assert closed.view.results_shown and [o.votes for o in closed.view.options] == [1, 0, 0]
    [chat_card] = await outbox(session_factory, CARD, status=None)
    assert [o["votes"] for o in chat_card.payload["poll"]["options"]] == [1, 0, 0]


async def test_results_to_the_launcher_only_never_reach_the_chat(linked, session_factory) -> None:
    poll = await launch(linked, results=PollResults.LAUNCHER_ONLY)
    await linked.vote(poll.id, poll.options[2].id, ALEX)
    closed = await linked.close(poll.id, by=ZOE)
    assert not closed.view.results_shown and [o.votes for o in closed.view.options] == [0, 0, 0]
    assert closed.runners_view.results_shown and [o.votes for o in closed.runners_view.options] == [0, 0, 1]
    [chat_card] = await outbox(session_factory, CARD, status=None)
    assert chat_card.payload["poll"]["results_shown"] is False
    [mine] = await outbox(session_factory, RESULTS, status=None)
    assert mine.payload["poll"]["status"] == "closed" and [o["votes"] for o in mine.payload["poll"]["options"]] == [
        0,
        0,
        1,
    ]


async def test_live_results_send_the_launcher_nothing(linked, session_factory) -> None:
    poll = await launch(linked)
    await linked.vote(poll.id, poll.options[0].id, ALEX)
    assert await outbox(session_factory, RESULTS, status=None) == []


@pytest.mark.parametrize("minutes", [0, 24 * 60 + 1])
async def test_a_timer_outside_one_minute_to_a_day_is_refused(linked, minutes) -> None:
    with pytest.raises(InvalidInput, match="1 to 1440 minutes"):
        await launch(linked, closes_after_minutes=minutes)


async def test_a_poll_closes_by_itself_once_its_minutes_are_up(linked, session_factory, clock) -> None:
    poll = await launch(linked, closes_after_minutes=5)
    other = await launch(linked)  # no timer: stays open
    assert poll.closes_at == clock.now() + timedelta(minutes=5)
    await linked.vote(poll.id, poll.options[1].id, ALEX)
    clock.advance(timedelta(minutes=4, seconds=59))
    assert await linked.close_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await linked.close_due() == 1
    assert await linked.close_due() == 0  # once
    view = await linked.poll(poll.id)
    assert view.status is PollStatus.CLOSED and view.closed_by_timer and view.closed_at == clock.now()
    assert (await linked.poll(other.id)).status is PollStatus.OPEN
    cards = {row.payload["poll"]["id"]: row.payload["poll"] for row in await outbox(session_factory, CARD, status=None)}
    assert cards[poll.id]["status"] == "closed" and cards[poll.id]["closed_by_name"] is None
    assert cards[poll.id]["voters"] == 1


async def test_the_closing_job_runs_once_per_period_across_replicas(linked, session_factory, clock) -> None:
    poll = await launch(linked, closes_after_minutes=1)
    clock.advance(timedelta(minutes=1))
    job = linked.closing_job()
    ran = [await run_once_per_period(session_factory, CLOSING_JOB, "2026-12-04T11:00", job, now=clock.now())]
    ran.append(await run_once_per_period(session_factory, CLOSING_JOB, "2026-12-04T11:00", job, now=clock.now()))
    assert ran == [True, False] and (await linked.poll(poll.id)).closed_by_timer


async def test_a_trainer_closing_before_the_timer_leaves_it_nothing_to_do(linked, clock) -> None:
    poll = await launch(linked, closes_after_minutes=2)
    await linked.close(poll.id, by=ZOE)
    clock.advance(timedelta(minutes=3))
    assert await linked.close_due() == 0
    assert (await linked.poll(poll.id)).closed_by_name == "Zoe Rosenfield"


async def test_two_processes_closing_due_polls_at_once_close_each_once(polls, session_factory, clock, db_url) -> None:
    """PostgreSQL: the job of two replicas in the same minute (without the period claim, as if it were lost):
    every due poll is closed by exactly one of them and its final card is queued once."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one transaction at a time: there is no race to lose")
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    due = [await launch(polls, closes_after_minutes=1) for _ in range(6)]
    clock.advance(timedelta(minutes=1))
    second = create_engine(str(session_factory.kw["bind"].url.render_as_string(hide_password=False)))
    try:
        processes = [PollService(session_factory, clock), PollService(create_session_factory(second), clock)]
        closed = await asyncio.gather(*(p.close_due() for p in processes))
    finally:
        await second.dispose()
    assert sum(closed) == len(due)
    for poll in due:
        assert (await polls.poll(poll.id)).closed_by_timer
    cards = await outbox(session_factory, CARD, status=None)
    assert sorted(row.payload["poll"]["id"] for row in cards) == sorted(p.id for p in due)
    assert {row.payload["poll"]["status"] for row in cards} == {"closed"}


async def test_the_unit_closes_with_nobody_named_when_the_timer_closes(linked, session_factory, clock) -> None:
    poll = await launch(linked, closes_after_minutes=1)
    clock.advance(timedelta(minutes=2))
    async with session_factory.begin() as session:
        outcome = await units.close(session, poll.id, by=None, now=clock.now())
    assert outcome.view.closed_by_name is None and outcome.view.closed_at == clock.now()


async def test_per_user_views_name_at_most_the_60_latest_voters(linked, clock) -> None:
    poll = await launch(linked)
    for n in range(61):
        clock.advance(timedelta(seconds=1))
        outcome = await linked.vote(poll.id, poll.options[n % 3].id, Voter(f"aad-v{n}", f"V{n}", f"29:v{n}"))
    assert outcome.view.recent_voters == [f"29:v{n}" for n in range(60, 0, -1)]  # the first voter dropped out
