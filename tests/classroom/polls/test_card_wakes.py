"""A vote wakes the outbox dispatchers only when it makes the card Teams has due again: votes joining an update
already waiting do not, so a busy poll does not make every dispatcher look for work at every vote (at hundreds of
votes a second those wake-ups cost more than the votes)."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.wake_on_commit import wake_on_commit
from classroom.polls.notices import CARD
from classroom.polls.polls import Voter
from tests.support.enrolment import delivered
from tests.support.polls import GROUP_CHAT, MULTI_RUN, ZOE, chat_info, draft


async def test_only_votes_that_make_the_card_due_again_wake_the_dispatchers(polls, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    wakes: list[int] = []
    stop = wake_on_commit(lambda: wakes.append(1))
    try:
        await polls.link(chat_info(), MULTI_RUN, by=ZOE)
        poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
        assert len(wakes) == 1  # the card's first post
        await polls.vote(poll.id, poll.options[2].id, Voter("aad-v0", "V0"))  # joins the first post, not sent yet
        assert len(wakes) == 1
        await delivered(session_factory, CARD, at=clock.now())
        clock.advance(timedelta(seconds=5))
        await polls.vote(poll.id, poll.options[0].id, Voter("aad-v1", "V1"))  # due now: wakes
        assert len(wakes) == 2
        for n in range(2, 6):  # before it goes: all join the update waiting
            clock.advance(timedelta(milliseconds=100))
            await polls.vote(poll.id, poll.options[1].id, Voter(f"aad-v{n}", f"V{n}"))
        assert len(wakes) == 2  # the update waiting takes them all
        clock.advance(timedelta(seconds=2))
        await polls.close(poll.id, by=ZOE)  # the final update, due at once
        assert len(wakes) == 3
    finally:
        stop()
