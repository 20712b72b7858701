"""Anonymous means anonymous: the database never holds who answered an anonymous poll, one answer per person
still holds while it is open, and once it closes nobody (not even someone with the whole database) can link an
answer to a person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from classroom.polls.errors import AnswerLocked
from classroom.polls.polls import Voter
from classroom.polls.voters import anonymous_voter_key
from storage.models import Poll, PollVote
from tests.support.polls import (
    GROUP_CHAT,
    MULTI_RUN,
    ZOE,
    chat_info,
    draft,
    every_stored_value,
    shows,
)

# Voters the bot has never met, so their ids could only be in the database because of their votes.
VOTERS = [Voter(f"aad-anon-voter-{n}", f"Anon Voter {n}", f"29:anon-voter-teams-id-{n}") for n in range(3)]
TEAMS_IDS = [v.teams_id or "" for v in VOTERS]


@pytest.fixture
async def linked(polls):
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    return polls


async def keys_of(session_factory) -> dict[int, bytes | None]:
    async with session_factory() as session:
        return {poll_id: key for poll_id, key in (await session.execute(select(Poll.id, Poll.hmac_key))).all()}


def leaks(values, needles: list[str]) -> list[tuple[str, str]]:
    return [(table, column) for table, column, value in values for needle in needles if shows(value, needle)]


async def test_open_anonymous_poll_stores_keyed_hashes_only_and_still_one_answer_each(linked, session_factory) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(anonymous=True, changeable=False), by=ZOE)
    for voter, option in zip(VOTERS, (0, 1, 1), strict=True):
        await linked.vote(poll.id, poll.options[option].id, voter)
    with pytest.raises(AnswerLocked):  # the same person, recognised by the keyed hash
        await linked.vote(poll.id, poll.options[0].id, VOTERS[2])
    assert (await linked.vote(poll.id, poll.options[1].id, VOTERS[1])).counted is False
    key = (await keys_of(session_factory))[poll.id]
    assert key is not None and len(key) == 32
    async with session_factory() as session:
        stored = (await session.execute(select(PollVote.voter_key, PollVote.voter_name, PollVote.answered_at))).all()
    assert sorted(k for k, _, _ in stored) == sorted(anonymous_voter_key(key, v.aad_object_id) for v in VOTERS)
    assert {(name, at) for _, name, at in stored} == {(None, None)}  # no name, no time
    assert (
        leaks(
            await every_stored_value(session_factory),
            [v.aad_object_id for v in VOTERS] + [v.name for v in VOTERS] + TEAMS_IDS,
        )
        == []
    )


async def test_after_close_no_voter_can_be_recovered_from_any_table(linked, session_factory) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(anonymous=True), by=ZOE)
    still_open = await linked.launch(GROUP_CHAT, draft(anonymous=True), by=ZOE)  # its key stays in the database
    for n, voter in enumerate(VOTERS):
        await linked.vote(poll.id, poll.options[n % 2].id, voter)
        await linked.vote(still_open.id, still_open.options[0].id, voter)
    key_before_close = (await keys_of(session_factory))[poll.id]
    assert key_before_close is not None

    final = (await linked.close(poll.id, by=ZOE)).view
    assert [o.votes for o in final.options] == [2, 1, 0] and final.voters == 3  # the results survive

    keys = await keys_of(session_factory)
    assert keys[poll.id] is None  # the key is destroyed
    present = [k for k in keys.values() if k is not None]
    assert len(present) == 1  # the open poll's key: hashes under it must name nobody's answer to the closed poll
    async with session_factory() as session:
        voter_keys = (await session.execute(select(PollVote.poll_id, PollVote.voter_key))).all()
    assert {k for poll_id, k in voter_keys if poll_id == poll.id} == {None}  # the closed poll's hashes are gone
    hashed_now = {anonymous_voter_key(key, v.aad_object_id) for key in present for v in VOTERS}
    assert {k for poll_id, k in voter_keys if poll_id == still_open.id} == hashed_now  # the open poll's own

    needles = [v.aad_object_id for v in VOTERS] + [v.name for v in VOTERS] + TEAMS_IDS + sorted(hashed_now)
    needles += [anonymous_voter_key(key_before_close, v.aad_object_id) for v in VOTERS]  # even the old key's
    elsewhere = [
        (table, column, value)
        for table, column, value in await every_stored_value(session_factory)
        if (table, column) != ("poll_votes", "voter_key")
    ]
    assert leaks(elsewhere, needles) == []


async def test_a_named_poll_says_who_answered(linked, session_factory) -> None:
    poll = await linked.launch(GROUP_CHAT, draft(), by=ZOE)
    await linked.vote(poll.id, poll.options[0].id, VOTERS[0])
    await linked.close(poll.id, by=ZOE)
    async with session_factory() as session:
        assert (await session.execute(select(PollVote.voter_key, PollVote.voter_name))).all() == [
            (VOTERS[0].aad_object_id, VOTERS[0].name)
        ]
