"""A chat is linked to a course run by the run's trainers or a coordinator, in that chat; ``link`` shows it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.polls.errors import NotLinked
from classroom.polls.polls import Voter
from storage.models import ChatRunLink, ConversationRecord
from tests.support.polls import ADELE, ALEX, GROUP_CHAT, MEGAN, MULTI_RUN, ONE_DAY_RUN, ZOE, chat_info


async def test_the_runs_trainer_links_the_chat_which_is_stored_for_the_poll_cards(polls, session_factory) -> None:
    view = await polls.link(chat_info(), "permx-a", by=ZOE)
    assert (view.run_code, view.linked_by_name) == (MULTI_RUN, "Zoe Rosenfield")
    assert view.course_title == "Permanence in four sessions"
    assert (await polls.link_of(GROUP_CHAT)).run_code == MULTI_RUN
    async with session_factory() as session:
        record = await session.scalar(
            select(ConversationRecord).where(ConversationRecord.conversation_id == GROUP_CHAT)
        )
    assert record is not None and record.installed and record.conversation_type == "groupChat"


async def test_a_coordinator_links_any_run_and_a_new_link_replaces_the_old(polls, session_factory) -> None:
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    view = await polls.link(chat_info(), ONE_DAY_RUN, by=ADELE)
    assert view.run_code == ONE_DAY_RUN
    async with session_factory() as session:
        assert len((await session.scalars(select(ChatRunLink))).all()) == 1


@pytest.mark.parametrize("who", [MEGAN, Voter(ALEX, "Alex Wilber"), Voter("aad-stranger", "Someone")])
async def test_anyone_but_the_runs_trainers_and_coordinators_is_refused(polls, session_factory, who) -> None:
    with pytest.raises(NotAllowed):
        await polls.link(chat_info(), MULTI_RUN, by=who)  # Megan is a trainer, but not of this run
    with pytest.raises(NotLinked):
        await polls.link_of(GROUP_CHAT)


async def test_an_unknown_run_and_a_one_to_one_chat_are_refused(polls) -> None:
    with pytest.raises(NotFound):
        await polls.link(chat_info(), "NOPE-1", by=ADELE)
    with pytest.raises(InvalidInput):
        await polls.link(chat_info("a:personal", "personal"), MULTI_RUN, by=ADELE)


async def test_unlink_only_by_the_runs_trainers_and_coordinators(polls) -> None:
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    with pytest.raises(NotAllowed):
        await polls.unlink(GROUP_CHAT, by=MEGAN.aad_object_id)
    assert (await polls.link_of(GROUP_CHAT)).run_code == MULTI_RUN
    assert (await polls.unlink(GROUP_CHAT, by=ADELE.aad_object_id)).run_code == MULTI_RUN
    with pytest.raises(NotLinked):
        await polls.link_of(GROUP_CHAT)
    with pytest.raises(NotLinked):
        await polls.unlink(GROUP_CHAT, by=ADELE.aad_object_id)
