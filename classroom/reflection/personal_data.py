"""One person's reflection data, for the privacy feature (issue 18) to plug into its per-feature interface:
everything of theirs as JSON-able dicts (their words opened, since the export goes to them), and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.reflection.cpd import entry_view
from classroom.reflection.reflections import state_of
from classroom.reflection.sealing import Sealer
from storage.models import CpdEntry, CpdExportLink, Reflection

TABLES = ("reflections", "cpd_entries", "cpd_export_links")


async def export_personal_data(
    session: AsyncSession, person_id: int, sealer: Sealer
) -> dict[str, list[dict[str, Any]]]:
    reflections = (
        await session.scalars(select(Reflection).where(Reflection.person_id == person_id).order_by(Reflection.id))
    ).all()
    entries = (
        await session.scalars(select(CpdEntry).where(CpdEntry.person_id == person_id).order_by(CpdEntry.id))
    ).all()
    exported_reflections = []
    for reflection in reflections:
        state = state_of(reflection, sealer)
        exported_reflections.append(
            {
                "id": reflection.id,
                "run_id": reflection.run_id,
                "session_id": reflection.session_id,
                "status": reflection.status.value,
                "answers": state.answers,
                "outcomes_marked_addressed": list(state.outcome_ids),
                "answered_at": reflection.answered_at.isoformat() if reflection.answered_at else None,
                "created_at": reflection.created_at.isoformat(),
                "updated_at": reflection.updated_at.isoformat(),
            }
        )
    exported_entries = []
    for entry in entries:
        view = entry_view(entry, sealer)
        exported_entries.append(
            {
                "id": view.id,
                "registration_year": view.registration_year,
                "date": view.activity_date.isoformat(),
                "type": view.cpd_type,
                "minutes": view.minutes,
                "from_course_reflection": view.from_course,
                "title": view.fields.title,
                "description": view.fields.description,
                "learnt": view.fields.learnt,
                "impact": view.fields.impact,
                "what_i_will_try_first": view.fields.try_first,
                "peer_reflection": view.fields.peer,
                "feeling": view.fields.feeling,
                "outcomes_addressed": list(view.fields.outcomes),
            }
        )
    return {"reflections": exported_reflections, "cpd_entries": exported_entries}


async def erase_personal_data(session: AsyncSession, person_id: int) -> int:
    """Delete every reflection and CPD entry of the person, and their download links; returns how many reflections
    and entries went. (Their prompts still queued are the outbox's: the privacy feature cancels those.)"""
    await session.execute(delete(CpdExportLink).where(CpdExportLink.person_id == person_id))
    entries = await session.execute(delete(CpdEntry).where(CpdEntry.person_id == person_id))
    reflections = await session.execute(delete(Reflection).where(Reflection.person_id == person_id))
    return int(entries.rowcount) + int(reflections.rowcount)  # type: ignore[attr-defined]
