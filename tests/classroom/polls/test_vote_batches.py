"""Votes for one poll that arrive together are recorded in one transaction (``classroom.polls.vote_batches``), each
with the outcome or refusal it would have had alone: counted, a change, the same answer again, locked, not an
option, a redelivery; a closed poll refuses them all; anonymous ones keep no voter; each voter counts once."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

import classroom.polls.answers_together as together_module
from classroom.polls.ballots import Choice, Picks
from classroom.polls.errors import AnswerLocked, NotAnOption, PollClosed
from classroom.polls.kinds import MultipleChoice, PollDraft
from classroom.polls.polls import VoteOutcome, Voter
from classroom.receipts import AlreadyTaken
from storage.models import ActivityReceipt, PollVote, PollVotePick
from tests.support.polls import GROUP_CHAT, MULTI_RUN, ZOE, chat_info, draft
from tests.support.statements import statements


def _voters(n: int, prefix: str = "v") -> list[Voter]:
    return [Voter(f"aad-{prefix}{i}", f"Voter {i}", f"29:{prefix}{i}") for i in range(n)]


async def _together(*votes: Any) -> list[Any]:
    """The votes' outcomes or refusals, the votes started in one pass of the event loop."""
    return await asyncio.gather(*votes, return_exceptions=True)


async def _receipts(session_factory, keys: list[str]) -> set[str]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        rows = await session.scalars(select(ActivityReceipt.key).where(ActivityReceipt.key.in_(keys)))
        return set(rows.all())


async def test_votes_arriving_together_share_one_transaction(polls, session_factory) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    voters = _voters(30)
    engine = session_factory.kw["bind"]
    with statements(engine) as seen:
        outcomes = await _together(
            *(polls.answer(poll.id, Choice(poll.options[n % 3].id), v, receipt=f"r{n}") for n, v in enumerate(voters))
        )
    assert all(isinstance(o, VoteOutcome) and o.counted and not o.changed for o in outcomes), outcomes
    assert {o.view.voters for o in outcomes} == {30}  # each told the tallies after all of them
    assert [o.chosen for o in outcomes[:3]] == [o.text for o in poll.options]
    # one statement stores the 30 answers, one claims the 30 activities, one reads the tallies (not 30 of each)
    assert len([s for s in seen if s.lstrip().startswith("INSERT INTO poll_votes")]) == 1, seen
    assert len([s for s in seen if s.lstrip().startswith("INSERT INTO activity_receipts")]) == 1, seen
    assert len([s for s in seen if "count(*)" in s]) == 1, seen
    assert await _receipts(session_factory, [f"r{n}" for n in range(30)]) == {f"r{n}" for n in range(30)}
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [10, 10, 10]


async def test_each_vote_of_a_batch_gets_what_it_would_alone(polls, session_factory) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    free = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    a, b, c = (o.id for o in free.options)
    old, same, changer, again, new, stray = _voters(6)
    await polls.answer(free.id, Choice(a), same, receipt="same-1")
    await polls.answer(free.id, Choice(a), changer, receipt="changer-1")
    await polls.answer(free.id, Choice(a), again, receipt="again-1")
    await polls.answer(free.id, Choice(a), old)
    outcomes = await _together(
        polls.answer(free.id, Choice(a), same, receipt="same-2"),  # the same answer again: claimed, not counted
        polls.answer(free.id, Choice(b), changer, receipt="changer-2"),  # a change
        polls.answer(free.id, Choice(c), again, receipt="again-1"),  # a redelivery: nothing written
        polls.answer(free.id, Choice(b), new, receipt="new-1"),  # a first answer
        polls.answer(free.id, Choice(999_999), stray, receipt="stray-1"),  # not an option: claims nothing
    )
    same_answer, change, redelivery, first, stray_answer = outcomes
    assert isinstance(same_answer, VoteOutcome) and not same_answer.counted and same_answer.chosen == "Presume capacity"
    assert isinstance(change, VoteOutcome) and change.counted and change.changed
    assert isinstance(redelivery, AlreadyTaken)
    assert isinstance(first, VoteOutcome) and first.counted and not first.changed
    assert isinstance(stray_answer, NotAnOption)
    assert [o.votes for o in first.view.options] == [3, 2, 0] and first.view.voters == 5
    assert [o.votes for o in (await polls.poll(free.id)).options] == [3, 2, 0]
    assert await _receipts(session_factory, ["same-2", "changer-2", "new-1", "stray-1"]) == {
        "same-2",
        "changer-2",
        "new-1",
    }
    locked = await polls.launch(GROUP_CHAT, draft(changeable=False), by=ZOE)
    await polls.answer(locked.id, Choice(locked.options[0].id), old)
    refused, counted = await _together(
        polls.answer(locked.id, Choice(locked.options[1].id), old, receipt="locked-1"),
        polls.answer(locked.id, Choice(locked.options[1].id), new, receipt="locked-2"),
    )
    assert isinstance(refused, AnswerLocked) and refused.chosen == "Presume capacity" and refused.view.voters == 2
    assert isinstance(counted, VoteOutcome) and counted.counted
    assert await _receipts(session_factory, ["locked-1", "locked-2"]) == {"locked-2"}  # a refusal claims nothing


async def test_one_persons_presses_arriving_together_count_once(polls) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    a, b, _ = (o.id for o in poll.options)
    [alex, sam] = _voters(2)
    first, double, change, other = await _together(
        polls.answer(poll.id, Choice(a), alex, receipt="p1"),
        polls.answer(poll.id, Choice(a), alex, receipt="p2"),  # a double click: the same answer, not counted
        polls.answer(poll.id, Choice(b), alex, receipt="p3"),  # then a change
        polls.answer(poll.id, Choice(a), sam, receipt="p4"),
    )
    assert first.counted and not double.counted and change.counted and change.changed and other.counted
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [1, 1, 0]
    # the same activity twice at once (a redelivery racing its first delivery) counts once
    once, twice = await _together(
        polls.answer(poll.id, Choice(a), alex, receipt="p5"), polls.answer(poll.id, Choice(a), alex, receipt="p5")
    )
    assert once.counted and isinstance(twice, AlreadyTaken)


async def test_a_batch_on_a_closed_poll_is_refused_with_the_final_results(polls) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    await polls.vote(poll.id, poll.options[0].id, Voter("aad-early", "Early"))
    await polls.close(poll.id, by=ZOE)
    refusals = await _together(*(polls.vote(poll.id, poll.options[1].id, v) for v in _voters(5)))
    assert all(isinstance(r, PollClosed) and r.view.voters == 1 for r in refusals), refusals


async def test_anonymous_votes_together_keep_no_voter(polls, session_factory) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(anonymous=True), by=ZOE)
    voters = _voters(6)
    await _together(*(polls.vote(poll.id, poll.options[n % 2].id, v) for n, v in enumerate(voters)))
    changed = await _together(*(polls.vote(poll.id, poll.options[2].id, v) for v in voters[:3]))
    assert all(o.counted and o.changed for o in changed)
    async with session_factory() as session:
        rows = (await session.execute(select(PollVote).where(PollVote.poll_id == poll.id))).scalars().all()
    assert len(rows) == 6
    assert all(r.voter_name is None and r.teams_user_id is None and r.answered_at is None for r in rows)
    assert all(r.voter_key and not r.voter_key.startswith("aad-") for r in rows)
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [1, 2, 3]


async def test_picks_together_replace_the_earlier_picks(polls, session_factory) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, PollDraft("Which?", MultipleChoice(("a", "b", "c"), 2)), by=ZOE)
    a, b, c = (o.id for o in poll.options)
    voters = _voters(4)
    await _together(*(polls.answer(poll.id, Picks(frozenset({a, b})), v) for v in voters))
    outcomes = await _together(
        *(polls.answer(poll.id, Picks(frozenset({c})), v) for v in voters[:2]),
        polls.answer(poll.id, Picks(frozenset({a, b})), voters[2]),  # the same picks: not counted
        polls.answer(poll.id, Picks(frozenset({a, b, c})), voters[3]),  # too many: refused
    )
    assert [getattr(o, "counted", None) for o in outcomes] == [True, True, False, None]
    assert outcomes[0].chosen == "c" and outcomes[2].chosen == "a; b"
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [2, 2, 2]
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(PollVotePick)) == 6


async def test_a_failing_batch_records_each_vote_alone(polls, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)

    calls: list[int] = []

    async def fails(*_args: Any, **_kwargs: Any) -> Any:
        calls.append(1)
        raise RuntimeError("one activity's bad data")

    monkeypatch.setattr(together_module, "record_answers", fails)
    outcomes = await _together(*(polls.vote(poll.id, poll.options[0].id, v) for v in _voters(4)))
    assert calls == [1]  # the batch failed; then each vote went alone
    assert all(isinstance(o, VoteOutcome) and o.counted for o in outcomes), outcomes
    assert (await polls.poll(poll.id)).voters == 4


async def test_a_first_answer_stored_meanwhile_elsewhere_is_decided_again(polls, session_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Another process stored the voter's first answer after the batch read the earlier answers: decided again as
    a vote alone would, and a refusal then gives its activity's claim back."""
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(changeable=False), by=ZOE)
    alex, sam = _voters(2)
    await polls.answer(poll.id, Choice(poll.options[0].id), alex)
    await polls.answer(poll.id, Choice(poll.options[1].id), sam)

    calls: list[int] = []

    async def none_yet(*_args: Any, **_kwargs: Any) -> dict[str, Any]:
        calls.append(1)
        return {}  # as if read before the other process's answers were stored

    monkeypatch.setattr(together_module, "earlier_answers", none_yet)
    locked, same = await _together(
        polls.answer(poll.id, Choice(poll.options[2].id), alex, receipt="late-1"),
        polls.answer(poll.id, Choice(poll.options[1].id), sam, receipt="late-2"),
    )
    assert calls == [1]
    assert isinstance(locked, AnswerLocked) and locked.chosen == "Presume capacity"
    assert isinstance(same, VoteOutcome) and not same.counted
    assert await _receipts(session_factory, ["late-1", "late-2"]) == {"late-2"}
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [1, 1, 0]


@pytest.mark.parametrize("votes", [1, 2])
async def test_a_vote_alone_goes_at_once(polls, session_factory, votes) -> None:  # type: ignore[no-untyped-def]
    """A vote that finds the poll idle is not held for others: it is recorded in the pass it arrived in."""
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    outcomes = await asyncio.wait_for(
        _together(*(polls.vote(poll.id, poll.options[0].id, v) for v in _voters(votes))), 10
    )
    assert all(o.counted for o in outcomes) and (await polls.poll(poll.id)).voters == votes


# -- the queue itself (``VoteBatches``), with recorders that only note what they were given ----------------------


class _Recorders:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.running = 0
        self.most_running = 0
        self.release = asyncio.Event()
        self.then_saw_answers: list[bool] = []
        self.futures: dict[str, asyncio.Future[Any]] = {}

    async def one(self, poll_id: int, vote: Any) -> Any:
        [result], _then = await self.many(poll_id, [vote])
        return result

    async def many(self, _poll_id: int, votes: Any) -> Any:
        voters = [v.voter.aad_object_id for v in votes]
        self.batches.append(voters)
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        await self.release.wait()
        self.running -= 1

        async def then() -> None:
            await _settle()  # the voters' turns run on while this step does
            self.then_saw_answers.append(all(self.futures[voter].done() for voter in voters))

        return [v.voter.aad_object_id for v in votes], then


def _pending(aad: str, receipt: str | None = None) -> Any:
    from datetime import UTC, datetime

    from classroom.polls.answers_together import PendingVote

    return PendingVote(Choice(1), Voter(aad, aad), receipt, datetime.now(UTC))


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_votes_wait_for_a_free_batch_and_go_together() -> None:
    from classroom.polls.vote_batches import VoteBatches

    recorders = _Recorders()
    batches = VoteBatches(recorders.one, recorders.many, in_flight=2)
    first = [asyncio.ensure_future(batches.answer(1, _pending(f"a{n}"))) for n in range(3)]
    await _settle()
    second = [asyncio.ensure_future(batches.answer(1, _pending(f"b{n}"))) for n in range(2)]
    await _settle()
    third = [asyncio.ensure_future(batches.answer(1, _pending(f"c{n}"))) for n in range(4)]
    other_poll = asyncio.ensure_future(batches.answer(2, _pending("z")))  # another poll's votes do not wait
    await _settle()
    assert recorders.batches == [["a0", "a1", "a2"], ["b0", "b1"], ["z"]]  # two of poll 1 at once, the third waits
    recorders.futures = {f"a{n}": f for n, f in enumerate(first)} | {f"b{n}": f for n, f in enumerate(second)}
    recorders.futures |= {f"c{n}": f for n, f in enumerate(third)} | {"z": other_poll}
    recorders.release.set()
    assert await asyncio.gather(*first, *second, *third, other_poll) == [
        *(f"a{n}" for n in range(3)),
        *(f"b{n}" for n in range(2)),
        *(f"c{n}" for n in range(4)),
        "z",
    ]
    assert recorders.batches[3] == [f"c{n}" for n in range(4)]  # the votes that waited went together
    assert recorders.most_running == 3  # two of poll 1, one of poll 2
    for _ in range(50):
        if len(recorders.then_saw_answers) == 3:
            break
        await asyncio.sleep(0)
    assert recorders.then_saw_answers == [True] * 3  # the voters had their answers while the next step ran


async def test_a_voters_next_press_waits_for_the_batch_holding_their_last() -> None:
    from classroom.polls.vote_batches import VoteBatches

    recorders = _Recorders()
    batches = VoteBatches(recorders.one, recorders.many, in_flight=2)
    first = asyncio.ensure_future(batches.answer(1, _pending("alex", "r1")))
    await _settle()
    again = asyncio.ensure_future(batches.answer(1, _pending("alex", "r2")))
    redelivered = asyncio.ensure_future(batches.answer(1, _pending("sam", "r1")))
    other = asyncio.ensure_future(batches.answer(1, _pending("kim", "r3")))
    await _settle()
    assert recorders.batches == [["alex"], ["kim"]]  # room for a second batch, but not for alex's next press
    recorders.release.set()
    await asyncio.gather(first, again, redelivered, other)
    assert recorders.batches[2:] == [["alex", "sam"]]


async def test_a_batch_failing_after_its_claims_is_logged_and_each_vote_recorded_alone(  # type: ignore[no-untyped-def]
    polls, session_factory, monkeypatch, caplog
) -> None:
    """The batch claimed its activities and wrote its answers, then failed: all of it rolled back, so the votes
    recorded again alone are not taken for redeliveries of themselves; and the failure is logged."""
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    real = together_module.record_answers
    calls: list[int] = []

    async def fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        await real(*args, **kwargs)
        raise RuntimeError("a bug after the batch's writes")

    monkeypatch.setattr(together_module, "record_answers", fails)
    caplog.set_level(logging.ERROR, logger="classroom.polls.vote_batches")
    keys = [f"alone-{n}" for n in range(4)]
    option = Choice(poll.options[0].id)
    pairs = zip(_voters(4), keys, strict=True)
    outcomes = await _together(*(polls.answer(poll.id, option, v, receipt=k) for v, k in pairs))
    assert calls == [1]
    assert all(isinstance(o, VoteOutcome) and o.counted for o in outcomes), outcomes
    assert (await polls.poll(poll.id)).voters == 4
    assert await _receipts(session_factory, keys) == set(keys)
    [logged] = [r for r in caplog.records if "recording each alone" in r.getMessage()]
    assert logged.getMessage() == f"poll {poll.id}: batch of 4 failed; recording each alone"
    assert logged.exc_info is not None and "a bug after the batch's writes" in str(logged.exc_info[1])


async def test_a_batch_out_of_retries_tells_each_vote_to_try_again() -> None:
    """TryAgain (the database stayed busy through every retry) goes to each vote of the batch at once: none is
    recorded again alone (each would retry as long again, one after another, with the votes behind it waiting)."""
    from classroom.errors import TryAgain
    from classroom.polls.vote_batches import VoteBatches

    alone: list[str] = []
    busy = [True]

    async def one(_poll: int, vote: Any) -> Any:
        alone.append(vote.voter.aad_object_id)
        return vote.voter.aad_object_id

    async def many(_poll: int, votes: Any) -> Any:
        if busy[0]:
            busy[0] = False
            raise TryAgain("the database is busy; please try again in a moment")
        return [v.voter.aad_object_id for v in votes], None

    batches = VoteBatches(one, many)
    first = [asyncio.ensure_future(batches.answer(1, _pending(f"a{n}"))) for n in range(5)]
    await _settle()
    later = [asyncio.ensure_future(batches.answer(1, _pending(f"b{n}"))) for n in range(2)]
    results = await asyncio.gather(*first, *later, return_exceptions=True)
    assert all(isinstance(r, TryAgain) for r in results[:5]), results
    assert len({id(r) for r in results[:5]}) == 5  # each turn raises its own
    assert results[5:] == ["b0", "b1"]  # the votes behind it went next, together
    assert alone == []


async def test_a_fault_in_a_batch_fails_its_votes_only(caplog) -> None:  # type: ignore[no-untyped-def]
    """A fault of the queue's own while a batch ends (here: a result missing) fails that batch's votes, is logged,
    and the votes waiting behind it are still recorded."""
    from classroom.polls.vote_batches import VoteBatches

    release = asyncio.Event()
    seen: list[list[str]] = []

    async def one(_poll: int, vote: Any) -> Any:
        return vote.voter.aad_object_id

    async def many(_poll: int, votes: Any) -> Any:
        voters = [v.voter.aad_object_id for v in votes]
        seen.append(voters)
        await release.wait()
        return (voters[:-1] if len(seen) == 1 else voters), None  # the first batch's results are one short

    caplog.set_level(logging.ERROR, logger="classroom.polls.vote_batches")
    batches = VoteBatches(one, many)
    first = [asyncio.ensure_future(batches.answer(1, _pending(f"a{n}"))) for n in range(3)]
    await _settle()
    behind = [asyncio.ensure_future(batches.answer(1, _pending(f"b{n}"))) for n in range(2)]
    await _settle()
    release.set()
    results = await asyncio.wait_for(asyncio.gather(*first, *behind, return_exceptions=True), 5)
    assert results[:2] == ["a0", "a1"] and isinstance(results[2], ValueError), results  # the votes not yet answered
    assert results[3:] == ["b0", "b1"]
    assert seen == [["a0", "a1", "a2"], ["b0", "b1"]]
    assert [r.getMessage() for r in caplog.records] == ["poll 1: a batch of 3 votes failed"]


async def test_aclose_waits_for_the_batches_being_recorded() -> None:
    """At shutdown the batches being recorded, the step after them and the votes waiting behind them finish
    before ``aclose`` returns (then the engine may go)."""
    from classroom.polls.vote_batches import VoteBatches

    recorders = _Recorders()
    batches = VoteBatches(recorders.one, recorders.many)
    first = [asyncio.ensure_future(batches.answer(1, _pending(f"a{n}"))) for n in range(3)]
    await _settle()
    behind = asyncio.ensure_future(batches.answer(1, _pending("b0")))
    recorders.futures = {f"a{n}": f for n, f in enumerate(first)} | {"b0": behind}
    closing = asyncio.ensure_future(batches.aclose())
    await _settle()
    assert not closing.done()
    recorders.release.set()
    await asyncio.wait_for(closing, 5)
    assert all(f.done() for f in [*first, behind])
    assert recorders.then_saw_answers == [True]  # the step after the batch ran before aclose returned


async def test_aclose_cancels_what_outlasts_its_timeout() -> None:
    from classroom.polls.vote_batches import VoteBatches

    recorders = _Recorders()  # never released
    batches = VoteBatches(recorders.one, recorders.many)
    votes = [asyncio.ensure_future(batches.answer(1, _pending(f"a{n}"))) for n in range(2)]
    await _settle()
    await asyncio.wait_for(batches.aclose(grace=0.05), 5)
    results = await asyncio.gather(*votes, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results), results


async def test_batches_of_any_size_run_a_few_statement_texts(polls, session_factory) -> None:  # type: ignore[no-untyped-def]
    """Batch sizes 2..40 give at most 6 texts per statement (padded to powers of two), not one per size: asyncpg
    keeps 100 prepared statements per connection, and the statements every turn runs must stay among them."""
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    engine = session_factory.kw["bind"]
    texts: set[str] = set()
    for size in range(2, 41):
        poll = await polls.launch(GROUP_CHAT, PollDraft("Which?", MultipleChoice(("a", "b", "c"), 2)), by=ZOE)
        a, b, c = (o.id for o in poll.options)
        voters = _voters(size, f"s{size}-")
        with statements(engine) as seen:
            for n, picks in enumerate([{a, b}, {c}]):  # first answers, then changes (their picks read first)
                outcomes = await _together(
                    *(
                        polls.answer(poll.id, Picks(frozenset(picks)), v, receipt=f"s{size}-{n}-{i}")
                        for i, v in enumerate(voters)
                    )
                )
                assert all(isinstance(o, VoteOutcome) and o.counted for o in outcomes), outcomes
        texts.update(seen)
        assert [o.votes for o in (await polls.poll(poll.id)).options] == [0, 0, size]
    kinds: dict[str, int] = {}
    for text in texts:
        kind = " ".join(text.split()[:4])
        kinds[kind] = kinds.get(kind, 0) + 1
    assert max(kinds.values()) <= 6, sorted(kinds.items(), key=lambda kv: -kv[1])


async def test_one_activity_in_a_batch_here_and_alone_elsewhere_counts_once(  # type: ignore[no-untyped-def]
    polls, session_factory, db_url, clock, caplog
) -> None:
    """A redelivery recorded alone in another process while this one records it in a batch: the two claim in
    opposite orders, so they can deadlock; PostgreSQL rolls one back, it is run again, and the vote counts once
    (the other finds the claim: a redelivery)."""
    from classroom.errors import TryAgain
    from classroom.polls import polls as units
    from classroom.polls.answers_together import PendingVote, answer_together
    from classroom.receipts import ActivityReceipts
    from classroom.transactions import in_transaction
    from storage.engine import create_engine, create_session_factory
    from tests.support.races import postgres_only, someone_waits_for_a_lock

    postgres_only(db_url)
    caplog.set_level(logging.INFO, logger="classroom.transactions")
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    option = poll.options[0].id
    alex, sam = _voters(2)
    engine = session_factory.kw["bind"]
    elsewhere = create_engine(engine.url.render_as_string(hide_password=False))
    receipts = ActivityReceipts(session_factory, clock)
    written = asyncio.Event()
    batch_waits = asyncio.Event()
    attempts: list[str] = []

    async def alone(session: Any) -> Any:  # the other process: writes the answer, claims last
        attempts.append("alone")
        outcome = await units.answer(session, poll.id, Choice(option), alex, now=clock.now())
        if len(attempts) == 1:
            written.set()
            await batch_waits.wait()  # the batch has claimed and waits for alex's row
        await receipts.require_claim_in(session, "same-activity")
        return outcome

    async def batch(session: Any) -> Any:  # this process: claims first, then writes
        votes = [
            PendingVote(Choice(option), alex, "same-activity", clock.now()),
            PendingVote(Choice(option), sam, "sam-activity", clock.now()),
        ]
        return await answer_together(session, poll.id, votes, receipts)

    try:
        other = asyncio.ensure_future(in_transaction(create_session_factory(elsewhere), alone))
        await asyncio.wait_for(written.wait(), 10)
        here = asyncio.ensure_future(in_transaction(session_factory, batch))
        await asyncio.wait_for(someone_waits_for_a_lock(engine), 30)
        batch_waits.set()
        there, [alex_here, sam_here] = await asyncio.wait_for(asyncio.gather(other, here, return_exceptions=True), 30)
    finally:
        await elsewhere.dispose()
    assert [r for r in caplog.records if "deadlock" in r.getMessage()]  # the orders did collide, and were retried
    assert not isinstance(there, TryAgain) and not isinstance(alex_here, TryAgain)
    assert isinstance(there, AlreadyTaken) != isinstance(alex_here, AlreadyTaken), (there, alex_here)
    assert isinstance(sam_here, VoteOutcome) and sam_here.counted
    assert [o.votes for o in (await polls.poll(poll.id)).options] == [2, 0, 0]
    assert await _receipts(session_factory, ["same-activity", "sam-activity"]) == {"same-activity", "sam-activity"}
