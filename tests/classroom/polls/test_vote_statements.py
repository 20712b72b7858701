"""What a vote costs in statements, and that the statements it leaves out lose nothing.

A named choice poll's counts and latest voters come from one statement. Once a vote has made the card Teams has
due again (its update waits for the card's one-second gap), the votes that follow in the same process, until
shortly before that update is drawn, do not mark the card again: the update draws the tallies after them. Votes
after the draw mark it again, so the last update always carries the last vote.
"""

from __future__ import annotations

from datetime import timedelta

import classroom.polls.service as service_module
from classroom.polls.ballots import Choice
from classroom.polls.notices import CARD, DRAW_MARGIN
from classroom.polls.polls import Voter
from tests.support.enrolment import delivered, outbox
from tests.support.polls import GROUP_CHAT, MULTI_RUN, ZOE, as_sent, chat_info, draft
from tests.support.statements import statements

_MARKS = "UPDATE outbox"


async def test_a_vote_joining_a_waiting_update_runs_six_statements(polls, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    await delivered(session_factory, CARD, at=clock.now())
    clock.advance(timedelta(milliseconds=100))
    await polls.vote(poll.id, poll.options[0].id, Voter("aad-v0", "V0", "29:v0"))  # makes the card due again
    clock.advance(timedelta(milliseconds=100))
    engine = session_factory.kw["bind"]
    with statements(engine) as seen:
        outcome = await polls.answer(poll.id, Choice(poll.options[1].id), Voter("aad-v1", "V1", "29:v1"), receipt="r1")
    assert outcome.view.voters == 2 and outcome.view.recent_voters == ["29:v1", "29:v0"]
    # lock, poll, earlier answer, the answer, counts with the latest voters, the activity's claim
    assert len(seen) == 6, seen
    assert not [s for s in seen if s.lstrip().startswith(_MARKS)], seen
    assert len([s for s in seen if "FROM poll_votes" in s]) == 2, seen  # the earlier answer; counts and voters


async def test_the_last_update_carries_the_last_vote_whatever_was_left_out(polls, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    a, b, c = (o.id for o in poll.options)
    await delivered(session_factory, CARD, at=clock.now())
    engine = session_factory.kw["bind"]
    clock.advance(timedelta(milliseconds=100))
    drawn_at = clock.now() + timedelta(seconds=1)  # the first vote's update: a second on, as the card was just sent
    marks = 0
    for n in range(8):  # 100 ms apart: only the first marks the card
        with statements(engine) as seen:
            await polls.vote(poll.id, a, Voter(f"aad-v{n}", f"V{n}", f"29:v{n}"))
        marks += len([s for s in seen if s.lstrip().startswith(_MARKS)])
        clock.advance(timedelta(milliseconds=100))
    assert marks == 1
    [row] = await outbox(session_factory, CARD)
    assert row.next_attempt_at == drawn_at
    # close to the draw: a vote marks the card again (a dispatcher's clock may be a little ahead)
    clock.set(drawn_at - DRAW_MARGIN)
    with statements(engine) as seen:
        await polls.vote(poll.id, b, Voter("aad-late", "Late", "29:late"))
    assert len([s for s in seen if s.lstrip().startswith(_MARKS)]) == 1
    # the dispatcher draws the update when it is due: every vote is in it
    clock.set(drawn_at)
    [row] = await outbox(session_factory, CARD)
    assert (await as_sent(session_factory, row))["poll"]["voters"] == 9
    await delivered(session_factory, CARD, at=clock.now())
    # a vote after the draw makes the card due again, so the last update has it too
    clock.advance(timedelta(milliseconds=10))
    with statements(engine) as seen:
        await polls.vote(poll.id, b, Voter("aad-last", "Last", "29:last"))
    assert len([s for s in seen if s.lstrip().startswith(_MARKS)]) == 1
    [row] = await outbox(session_factory, CARD)
    sent = (await as_sent(session_factory, row))["poll"]
    assert sent["voters"] == 10 and {o["id"]: o["votes"] for o in sent["options"]} == {a: 8, b: 2, c: 0}


async def test_a_vote_that_waited_past_the_draw_marks_the_card(polls, session_factory, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A vote that began well before the waiting update's draw, but reached the database after it (it waited for the
    connection, or for another process's lock), is not in that update: it marks the card again."""
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    first = poll.options[0].id
    await delivered(session_factory, CARD, at=clock.now())
    clock.advance(timedelta(milliseconds=100))
    await polls.vote(poll.id, first, Voter("aad-v0", "V0", "29:v0"))  # the card's update is due a second later
    [row] = await outbox(session_factory, CARD)
    drawn_at = row.next_attempt_at
    clock.set(drawn_at - 2 * DRAW_MARGIN)  # the next vote begins well before the draw
    real_answer = service_module.polls.answer
    drawn: list[int] = []

    async def reached_after_the_draw(session, *args, **kwargs):  # type: ignore[no-untyped-def]
        clock.set(drawn_at + timedelta(milliseconds=10))  # meanwhile the dispatcher draws and sends the update
        [due] = await outbox(session_factory, CARD)
        drawn.append((await as_sent(session_factory, due))["poll"]["voters"])
        await delivered(session_factory, CARD, at=clock.now())
        return await real_answer(session, *args, **kwargs)

    monkeypatch.setattr(service_module.polls, "answer", reached_after_the_draw)
    await polls.vote(poll.id, first, Voter("aad-v1", "V1", "29:v1"))
    assert drawn == [1]  # the update went without this vote...
    [again] = await outbox(session_factory, CARD)  # ...so the card is due once more, with it
    assert again.next_attempt_at is not None and again.next_attempt_at > drawn_at
    assert (await as_sent(session_factory, again))["poll"]["voters"] == 2
