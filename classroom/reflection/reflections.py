"""A participant's reflection on a session: open the prompt, save a draft, finish it (which writes its CPD
entry), or skip it. Only the enrolment's own person may do any of these; their words are sealed before storing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.people import find_person
from classroom.reflection.cpd_fields import fields_from_reflection, seal_ready
from classroom.reflection.planning import cancel_nudge, prompt_notice
from classroom.reflection.questions import KEYS, MAX_ANSWER_LENGTH
from classroom.reflection.registration_year import registration_year_of
from classroom.reflection.sealing import Sealer
from classroom.reflection.views import PromptView, ReflectionState
from classroom.text import clean
from storage.models import CourseRun, CpdEntry, Enrolment, Person, Reflection, ReflectionStatus, RunSession

COURSE_CPD_TYPE = "Course or training (online)"
MAX_OUTCOMES = 50


async def _own_enrolment(
    session: AsyncSession, aad_object_id: str, enrolment_id: int, session_id: int
) -> tuple[Person, Enrolment, RunSession]:
    person = await find_person(session, aad_object_id)
    enrolment = await session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .options(joinedload(Enrolment.run).joinedload(CourseRun.course))
    )
    if person is None or enrolment is None or enrolment.person_id != person.id:
        raise NotAllowed("this reflection is someone else's")  # never say whose, or whether it exists
    run_session = await session.get(RunSession, session_id)
    if run_session is None or run_session.run_id != enrolment.run_id:
        raise NotFound("that session is no longer part of the course")
    return person, enrolment, run_session


async def _reflection_of(session: AsyncSession, person_id: int, session_id: int) -> Reflection | None:
    return await session.scalar(
        select(Reflection).where(Reflection.person_id == person_id, Reflection.session_id == session_id)
    )


def state_of(reflection: Reflection | None, sealer: Sealer) -> ReflectionState:
    if reflection is None:
        return ReflectionState(ReflectionStatus.PROMPTED)
    opened: dict[str, Any] = sealer.open(reflection.sealed_answers) if reflection.sealed_answers else {}
    answers = opened.get("answers", {})
    return ReflectionState(
        reflection.status,
        {k: str(v) for k, v in answers.items() if k in KEYS} if isinstance(answers, dict) else {},
        tuple(int(i) for i in opened.get("outcomes", []) if isinstance(i, int)),
    )


def bounded_answers(raw: Mapping[str, object]) -> dict[str, str]:
    """The answers a card sent, as trusted text: known keys only, cleaned, each within the length limit."""
    answers: dict[str, str] = {}
    for key in KEYS:
        value = raw.get(key)
        if isinstance(value, str) and value.strip():
            if len(value) > MAX_ANSWER_LENGTH:
                raise InvalidInput(f"please keep each answer under {MAX_ANSWER_LENGTH} characters")
            answers[key] = clean(value)
    return answers


async def open_prompt(
    session: AsyncSession, aad_object_id: str, enrolment_id: int, session_id: int, sealer: Sealer
) -> PromptView:
    person, enrolment, run_session = await _own_enrolment(session, aad_object_id, enrolment_id, session_id)
    count = len((await session.scalars(select(RunSession.id).where(RunSession.run_id == enrolment.run_id))).all())
    notice = await prompt_notice(session, enrolment.id, enrolment.run.course_id, enrolment.run.code, run_session, count)
    reflection = await _reflection_of(session, person.id, session_id)
    entry_id = None
    if reflection is not None:
        entry_id = await session.scalar(select(CpdEntry.id).where(CpdEntry.reflection_id == reflection.id))
    return PromptView(notice, state_of(reflection, sealer), entry_id)


async def save(
    session: AsyncSession,
    aad_object_id: str,
    enrolment_id: int,
    session_id: int,
    answers: Mapping[str, object],
    outcome_ids: Sequence[int],
    *,
    finish: bool,
    sealer: Sealer,
    zone: ZoneInfo,
    now: datetime,
) -> PromptView:
    """Save the author's answers: a draft (still nudged once) or finished (its CPD entry written or updated)."""
    view = await open_prompt(session, aad_object_id, enrolment_id, session_id, sealer)
    person = await find_person(session, aad_object_id)
    assert person is not None  # open_prompt checked
    clean = bounded_answers(answers)
    offered = {o.id: o.text for o in view.prompt.outcomes}
    chosen = tuple(dict.fromkeys(i for i in outcome_ids[:MAX_OUTCOMES] if i in offered))
    if finish:
        missing = [q.label for q in view.prompt.questions if q.required and not clean.get(q.key)]
        if missing:
            raise InvalidInput("please answer: " + "; ".join(missing))
    reflection = await _reflection_of(session, person.id, session_id)
    if reflection is None:
        reflection = Reflection(
            person_id=person.id,
            enrolment_id=enrolment_id,
            run_id=await _run_id(session, session_id),
            session_id=session_id,
            status=ReflectionStatus.PROMPTED,
        )
        session.add(reflection)
    reflection.sealed_answers = sealer.seal({"answers": clean, "outcomes": list(chosen)})
    reflection.status = ReflectionStatus.DONE if finish else ReflectionStatus.DRAFT
    reflection.updated_at = now
    entry_id = view.cpd_entry_id
    if finish:
        reflection.answered_at = now
        await session.flush()
        await cancel_nudge(session, enrolment_id, session_id)
        fields = fields_from_reflection(view.prompt.course_title, clean, [offered[i] for i in chosen])
        local_day = view.prompt.starts_at.astimezone(zone).date()
        minutes = int((view.prompt.ends_at - view.prompt.starts_at).total_seconds() // 60)
        entry = await session.scalar(select(CpdEntry).where(CpdEntry.reflection_id == reflection.id))
        if entry is None:
            entry = CpdEntry(person_id=person.id, reflection_id=reflection.id, created_at=now)
            session.add(entry)
        entry.registration_year = registration_year_of(local_day)
        entry.activity_date = local_day
        entry.cpd_type = COURSE_CPD_TYPE
        entry.minutes = max(minutes, 0)
        entry.has_peer_reflection = bool(fields.peer)
        entry.sealed_fields = sealer.seal(seal_ready(fields))
        entry.updated_at = now
        await session.flush()
        entry_id = entry.id
    return PromptView(view.prompt, ReflectionState(reflection.status, clean, chosen), entry_id)


async def _run_id(session: AsyncSession, session_id: int) -> int | None:
    return await session.scalar(select(RunSession.run_id).where(RunSession.id == session_id))


async def skip(
    session: AsyncSession, aad_object_id: str, enrolment_id: int, session_id: int, *, sealer: Sealer, now: datetime
) -> PromptView:
    """Skip this session's reflection: no nudge. A finished reflection stays finished."""
    view = await open_prompt(session, aad_object_id, enrolment_id, session_id, sealer)
    person = await find_person(session, aad_object_id)
    assert person is not None
    await cancel_nudge(session, enrolment_id, session_id)
    reflection = await _reflection_of(session, person.id, session_id)
    if reflection is None:
        reflection = Reflection(
            person_id=person.id,
            enrolment_id=enrolment_id,
            run_id=await _run_id(session, session_id),
            session_id=session_id,
            status=ReflectionStatus.SKIPPED,
        )
        session.add(reflection)
    elif reflection.status != ReflectionStatus.DONE:
        reflection.status = ReflectionStatus.SKIPPED
        reflection.updated_at = now
    await session.flush()
    return PromptView(
        view.prompt, ReflectionState(reflection.status, view.state.answers, view.state.outcome_ids), view.cpd_entry_id
    )
