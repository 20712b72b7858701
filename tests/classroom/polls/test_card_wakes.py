"""A vote wakes the outbox dispatchers only when it sets a new time for the card's update: votes joining an update
already scheduled do not, so a busy poll does not make every dispatcher look for work at every vote (at hundreds of
votes a second those wake-ups cost more than the votes)."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.wake_on_commit import wake_on_commit
from classroom.polls.polls import Voter
from tests.support.polls import GROUP_CHAT, MULTI_RUN, ZOE, chat_info, draft


async def test_only_votes_that_set_a_new_update_time_wake_the_dispatchers(polls, clock) -> None:  # type: ignore[no-untyped-def]
    wakes: list[int] = []
    stop = wake_on_commit(lambda: wakes.append(1))
    try:
        await polls.link(chat_info(), MULTI_RUN, by=ZOE)
        poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
        assert len(wakes) == 1  # the card's first post
        clock.advance(timedelta(seconds=5))
        await polls.vote(poll.id, poll.options[0].id, Voter("aad-v1", "V1"))  # due now: wakes
        assert len(wakes) == 2
        for n in range(2, 6):  # within the next second: all join one update a second later
            clock.advance(timedelta(milliseconds=100))
            await polls.vote(poll.id, poll.options[1].id, Voter(f"aad-v{n}", f"V{n}"))
        assert len(wakes) == 3  # the first of them set the update's time; the others joined it
        clock.advance(timedelta(seconds=2))
        await polls.close(poll.id, by=ZOE)  # the final update, due at once
        assert len(wakes) == 4
    finally:
        stop()
