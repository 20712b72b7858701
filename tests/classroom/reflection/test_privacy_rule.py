"""A reflection is its author's alone: trainers, coordinators and admins get counts, never words; outcome marks
only when at least five reflected. Every operation returning words refuses anyone but the author."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from classroom.errors import NotAllowed
from classroom.reflection.summary import MIN_GROUP
from classroom.reflection.views import SessionReflectionSummary
from storage.models import Role, RunSession
from tests.classroom.reflection.conftest import ALEX
from tests.classroom.reflection.test_reflections import ANSWERS, SECRET
from tests.support.enrolment import COORDINATOR_AAD, MULTI_RUN, OTHER_TRAINER_AAD, TRAINER_AAD, add_person


async def _session_ids(session_factory) -> dict[int, int]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        rows = await session.execute(
            select(RunSession.position, RunSession.id).where(RunSession.run.has(code=MULTI_RUN))
        )
        return dict(rows.all())  # type: ignore[arg-type]


def _all_text(summary: SessionReflectionSummary) -> str:
    return repr(dataclasses.asdict(summary))


async def test_trainers_see_n_of_n_and_no_words(enrolment, reflection, session_factory) -> None:
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    sessions = await _session_ids(session_factory)
    await reflection.save(ALEX, place.id, sessions[1], ANSWERS, [], finish=True)
    for who in (TRAINER_AAD, COORDINATOR_AAD):
        summary = await reflection.session_summary(who, MULTI_RUN, 1)
        assert (summary.reflected, summary.expected) == (1, 1)
        assert summary.outcome_counts is None  # fewer than five: no breakdown
        for words in ANSWERS.values():
            assert words not in _all_text(summary)


async def test_a_trainer_of_another_run_and_participants_get_no_summary(enrolment, reflection) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    for who in (OTHER_TRAINER_AAD, ALEX):
        with pytest.raises(NotAllowed):
            await reflection.session_summary(who, MULTI_RUN, 1)


async def test_outcome_marks_are_counted_only_from_five_reflections(enrolment, reflection, session_factory) -> None:
    sessions = await _session_ids(session_factory)
    people = [f"aad-person-{i}" for i in range(MIN_GROUP)]
    places = {}
    for i, who in enumerate(people):
        await add_person(session_factory, who, f"Person {i}", roles=(Role.PARTICIPANT,))
        places[who] = (await enrolment.enrol(who, MULTI_RUN)).id
    outcome = (await reflection.prompt(people[0], places[people[0]], sessions[1])).prompt.outcomes[0].id
    for i, who in enumerate(people[:-1]):
        await reflection.save(who, places[who], sessions[1], ANSWERS, [outcome] if i % 2 == 0 else [], finish=True)
    four = await reflection.session_summary(TRAINER_AAD, MULTI_RUN, 1)
    assert (four.reflected, four.expected, four.outcome_counts) == (4, 5, None)
    await reflection.save(people[-1], places[people[-1]], sessions[1], ANSWERS, [outcome], finish=True)
    five = await reflection.session_summary(TRAINER_AAD, MULTI_RUN, 1)
    assert (five.reflected, five.expected) == (5, 5)
    assert five.outcome_counts == (("understand permanence", 3),)
    assert SECRET not in _all_text(five)


async def test_drafts_and_skips_do_not_count_as_reflected(enrolment, reflection, session_factory) -> None:
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    sessions = await _session_ids(session_factory)
    await reflection.save(ALEX, place.id, sessions[1], {"covered": "draft"}, [], finish=False)
    await reflection.skip(ALEX, place.id, sessions[2])
    assert (await reflection.session_summary(TRAINER_AAD, MULTI_RUN, 1)).reflected == 0
    assert (await reflection.session_summary(TRAINER_AAD, MULTI_RUN, 2)).reflected == 0
