"""Answering a prompt: a draft, finished (its CPD entry written), or skipped; nudges; sealed at rest; the
author's alone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from classroom.errors import InvalidInput, NotAllowed
from classroom.reflection.notices import PROMPT
from classroom.reflection.sealing import SealBroken, Sealer, new_key
from classroom.reflection.service import ReflectionService
from storage.models import ReflectionStatus, RunSession
from tests.classroom.reflection.conftest import ALEX, FIRST_DAY, ISAIAH
from tests.support.enrolment import COORDINATOR_AAD, LONDON, MULTI_RUN, OTHER_TRAINER_AAD, TRAINER_AAD, outbox

SECRET = "Working with Kayleigh's family showed me how much the chronology matters"
ANSWERS = {
    "covered": SECRET,
    "learnt": "Permanence is about relationships as much as legal orders",
    "impact": "I will plan life-story work earlier for the children I work with",
    "try_first": "Start the chronology at the first visit",
    "peer": "My practice educator pointed out that I avoid talking about contact",
    "feeling": "Tired but hopeful",
}


async def _first_session(session_factory) -> RunSession:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        found = await session.scalar(
            select(RunSession).where(RunSession.position == 1, RunSession.run.has(code=MULTI_RUN))
        )
        assert found is not None
        return found


def _nudges(rows):  # type: ignore[no-untyped-def]
    return [r for r in rows if r.payload["nudge"]]


async def test_a_finished_reflection_becomes_a_cpd_entry_and_its_nudge_is_cancelled(
    enrolment, reflection, session_factory
) -> None:
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    first = await _first_session(session_factory)
    prompt = await reflection.prompt(ALEX, place.id, first.id)
    outcome = prompt.prompt.outcomes[0].id
    assert prompt.state.status == ReflectionStatus.PROMPTED and prompt.state.answers == {}

    saved = await reflection.save(ALEX, place.id, first.id, ANSWERS, [outcome, 999], finish=True)
    assert saved.state.status == ReflectionStatus.DONE and saved.state.outcome_ids == (outcome,)  # 999: not offered
    assert saved.cpd_entry_id is not None
    nudges = _nudges(await outbox(session_factory, PROMPT))
    assert {n.payload["session_position"] for n in nudges} == {2, 3, 4}  # session 1's nudge is cancelled

    log = await reflection.cpd_log(ALEX, 2026)
    [entry] = log.entries
    assert entry.fields.title == "Permanence in four sessions"
    assert entry.activity_date == date(2026, 12, 14) and entry.minutes == 5 * 60
    assert entry.cpd_type == "Course or training (online)" and entry.from_course
    assert entry.fields.description == SECRET and entry.fields.peer == ANSWERS["peer"]
    assert entry.fields.outcomes == ("understand permanence",)
    assert log.with_peer_reflection == 1

    again = await reflection.save(ALEX, place.id, first.id, {**ANSWERS, "peer": ""}, [], finish=True)
    assert again.cpd_entry_id == saved.cpd_entry_id  # edited in place, not a second entry
    log = await reflection.cpd_log(ALEX, 2026)
    assert len(log.entries) == 1 and log.with_peer_reflection == 0


async def test_a_draft_keeps_the_answers_and_the_nudge(enrolment, reflection, session_factory) -> None:
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    first = await _first_session(session_factory)
    draft = await reflection.save(ALEX, place.id, first.id, {"covered": "half a thought"}, [], finish=False)
    assert draft.state.status == ReflectionStatus.DRAFT and draft.cpd_entry_id is None
    reopened = await reflection.prompt(ALEX, place.id, first.id)
    assert reopened.state.answers == {"covered": "half a thought"}
    assert len(_nudges(await outbox(session_factory, PROMPT))) == 4
    with pytest.raises(InvalidInput):  # finishing needs the form's questions answered
        await reflection.save(ALEX, place.id, first.id, {"covered": "half a thought"}, [], finish=True)


async def test_skipping_cancels_the_nudge_and_a_move_does_not_bring_it_back(
    enrolment, reflection, session_factory
) -> None:
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    first = await _first_session(session_factory)
    skipped = await reflection.skip(ALEX, place.id, first.id)
    assert skipped.state.status == ReflectionStatus.SKIPPED
    assert {n.payload["session_position"] for n in _nudges(await outbox(session_factory, PROMPT))} == {2, 3, 4}


async def test_answers_are_bounded(enrolment, reflection, session_factory) -> None:
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    first = await _first_session(session_factory)
    with pytest.raises(InvalidInput):
        await reflection.save(ALEX, place.id, first.id, {**ANSWERS, "learnt": "x" * 2001}, [], finish=True)
    saved = await reflection.save(
        ALEX, place.id, first.id, {**ANSWERS, "unknown": "ignored", "learnt": 7}, [], finish=False
    )
    assert "unknown" not in saved.state.answers and "learnt" not in saved.state.answers


@pytest.mark.parametrize("who", [ISAIAH, TRAINER_AAD, OTHER_TRAINER_AAD, COORDINATOR_AAD, "aad-stranger"])
async def test_nobody_else_may_open_save_or_skip_a_reflection(enrolment, reflection, session_factory, who) -> None:
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    first = await _first_session(session_factory)
    await reflection.save(ALEX, place.id, first.id, ANSWERS, [], finish=True)
    with pytest.raises(NotAllowed):
        await reflection.prompt(who, place.id, first.id)
    with pytest.raises(NotAllowed):
        await reflection.save(who, place.id, first.id, {"covered": "overwritten"}, [], finish=False)
    with pytest.raises(NotAllowed):
        await reflection.skip(who, place.id, first.id)
    assert (await reflection.cpd_log(who, 2026)).entries == ()
    assert (await reflection.prompt(ALEX, place.id, first.id)).state.answers["covered"] == SECRET


async def test_reflections_and_cpd_entries_are_sealed_at_rest(enrolment, reflection, session_factory) -> None:
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    first = await _first_session(session_factory)
    await reflection.save(ALEX, place.id, first.id, ANSWERS, [], finish=True)
    async with session_factory() as session:
        raw = [
            bytes(value)
            for (value,) in (await session.execute(text("SELECT sealed_answers FROM reflections"))).all()
            + (await session.execute(text("SELECT sealed_fields FROM cpd_entries"))).all()
        ]
    assert len(raw) == 2
    for value in raw:
        for words in ("Kayleigh", "chronology", "practice educator", "Permanence", "hopeful"):
            assert words.encode() not in value and words.lower().encode() not in value.lower()


async def test_a_rotated_key_still_opens_old_reflections_and_a_wrong_key_opens_none(
    enrolment, sealer, session_factory, clock
) -> None:
    old_key = new_key()
    old = ReflectionService(session_factory, clock, LONDON, Sealer((old_key,)))
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    first = await _first_session(session_factory)
    await old.save(ALEX, place.id, first.id, ANSWERS, [], finish=True)
    rotated = ReflectionService(session_factory, clock, LONDON, Sealer((new_key(), old_key)))
    assert (await rotated.prompt(ALEX, place.id, first.id)).state.answers["covered"] == SECRET
    stranger = ReflectionService(session_factory, clock, LONDON, sealer)
    with pytest.raises(SealBroken):
        await stranger.prompt(ALEX, place.id, first.id)


def test_sealing_is_authenticated() -> None:
    sealer = Sealer((new_key(),))
    sealed = bytearray(sealer.seal({"answers": {"covered": "x"}}))
    sealed[-5] ^= 1
    with pytest.raises(SealBroken):
        sealer.open(bytes(sealed))


async def test_a_reflection_in_the_next_registration_year_goes_in_that_year(
    enrolment, reflection, session_factory
) -> None:
    # Session 4 is Monday 4 January 2027: still the registration year that began on 1 December 2026.
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    async with session_factory() as session:
        fourth = await session.scalar(select(RunSession).where(RunSession.position == 4))
    assert fourth is not None
    await reflection.save(ALEX, place.id, fourth.id, ANSWERS, [], finish=True)
    assert [e.activity_date for e in (await reflection.cpd_log(ALEX, 2026)).entries] == [FIRST_DAY + timedelta(weeks=3)]
    assert (await reflection.cpd_log(ALEX, 2025)).entries == ()


def test_resealing_moves_a_value_to_the_new_key() -> None:
    old_key, new = new_key(), new_key()
    sealed = Sealer((old_key,)).seal({"answers": {"covered": SECRET}})
    resealed = Sealer((new, old_key)).reseal(sealed)
    assert Sealer((new,)).open(resealed) == {"answers": {"covered": SECRET}}  # the old key is no longer needed
