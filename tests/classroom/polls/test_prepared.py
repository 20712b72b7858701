"""Prepared polls: a trainer prepares polls for a run, sees them in the run's linked chat (and those of an earlier
run of the same course, for reuse), and launches one with one click; a second click while it is open posts
nothing; nobody but the run's trainers and coordinators prepares, lists or launches."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.polls.kinds import Confidence, MultipleChoice, PollDraft, PollSettings, Quiz
from classroom.polls.polls import Voter
from classroom.polls.service import PollService
from storage.models import PollKind, PollResults
from tests.support.enrolment import MULTI, add_person, load_world, with_runs, world
from tests.support.polls import ADELE, GROUP_CHAT, MEGAN, MULTI_RUN, ONE_DAY_RUN, ZOE, chat_info

LATER_RUN = "PERMX-B"
LATER_CHAT = "19:later-session@thread.v2"


@pytest.fixture
async def polls(session_factory, clock) -> PollService:
    document = world(date(2026, 12, 14))
    multi = document.courses[0].runs[0]
    await load_world(session_factory, with_runs(document, MULTI, dataclasses.replace(multi, code=LATER_RUN)))
    await add_person(session_factory, "aad-alex", "Alex Wilber")
    service = PollService(session_factory, clock)
    await service.link(chat_info(), MULTI_RUN, by=ZOE)
    await service.link(chat_info(LATER_CHAT), LATER_RUN, by=ZOE)
    return service


QUIZ = PollDraft(
    "Who decides?",
    Quiz(("The decision maker", "A judge"), 0),
    PollSettings(anonymous=True, results=PollResults.AFTER_CLOSE, changeable=False, closes_after_minutes=5),
)


async def test_a_prepared_poll_launches_as_prepared_with_one_click_and_once(polls) -> None:
    prepared = await polls.prepare("permx-a", QUIZ, by=ZOE)
    assert (prepared.run_code, prepared.kind, prepared.this_run) == (MULTI_RUN, PollKind.QUIZ, True)
    [listed] = await polls.prepared_here(GROUP_CHAT, by=ZOE.aad_object_id)
    assert listed == prepared
    launched = await polls.launch_prepared(GROUP_CHAT, prepared.id, by=ZOE)
    view = launched.view
    assert not launched.already_open and (view.kind, view.question, view.anonymous) == (
        PollKind.QUIZ,
        "Who decides?",
        True,
    )
    assert (view.results, view.changeable, view.closes_at is not None) == (PollResults.AFTER_CLOSE, False, True)
    again = await polls.launch_prepared(GROUP_CHAT, prepared.id, by=ZOE)  # a double click
    assert again.already_open and again.view.id == view.id
    await polls.close(view.id, by=ZOE)
    assert (await polls.launch_prepared(GROUP_CHAT, prepared.id, by=ZOE)).view.id != view.id  # run it again later


async def test_polls_of_an_earlier_run_of_the_course_are_offered_for_reuse(polls) -> None:
    earlier = await polls.prepare(MULTI_RUN, PollDraft("How sure?", Confidence()), by=ZOE)
    mine = await polls.prepare(LATER_RUN, PollDraft("Which?", MultipleChoice(("a", "b", "c"), 2)), by=ADELE)
    other_course = await polls.prepare(ONE_DAY_RUN, QUIZ, by=ADELE)
    listed = await polls.prepared_here(LATER_CHAT, by=ZOE.aad_object_id)
    assert [(p.id, p.this_run) for p in listed] == [(mine.id, True), (earlier.id, False)]  # this run's first
    reused = await polls.launch_prepared(LATER_CHAT, earlier.id, by=ZOE)
    assert reused.view.run_code == LATER_RUN and reused.view.kind is PollKind.CONFIDENCE
    with pytest.raises(NotFound):  # another course's poll is not this chat's to launch
        await polls.launch_prepared(LATER_CHAT, other_course.id, by=ZOE)


async def test_only_the_runs_trainers_and_coordinators_prepare_list_and_launch(polls) -> None:
    alex = Voter("aad-alex", "Alex Wilber")
    for who in (MEGAN, alex):
        with pytest.raises(NotAllowed):
            await polls.prepare(MULTI_RUN, QUIZ, by=who)
    prepared = await polls.prepare(MULTI_RUN, QUIZ, by=ADELE)
    for who in (MEGAN, alex):
        with pytest.raises(NotAllowed):
            await polls.prepared_here(GROUP_CHAT, by=who.aad_object_id)
        with pytest.raises(NotAllowed):
            await polls.launch_prepared(GROUP_CHAT, prepared.id, by=who)


async def test_a_bad_draft_or_run_is_refused_when_preparing(polls) -> None:
    with pytest.raises(InvalidInput, match="2 to 10 options"):
        await polls.prepare(MULTI_RUN, PollDraft("Which?", MultipleChoice(("a",), 1)), by=ZOE)
    with pytest.raises(NotFound):
        await polls.prepare("NOPE-1", QUIZ, by=ZOE)
