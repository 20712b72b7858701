"""The personal data of the catalogue: only who trains which run. A trainer linked in Teams is unlinked on erasure;
a trainer the provider's catalogue file names keeps that published name (the next import states it again) but
loses the link to their account."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.privacy.personal_data import Erasure, PersonalData, Section, Subject
from storage.models import CourseRun, RunTrainer

_NOTHING_PERSONAL = (
    "courses",
    "learning_outcomes",
    "course_runs",
    "run_sessions",
    "run_prices",
    "run_eligible_organisations",
    "organisations",
    "organisation_evidence",
    "catalogue_version",  # a number the database bumps when the catalogue changes
)


class CatalogueData(PersonalData):
    tables: ClassVar = {
        **{table: frozenset() for table in _NOTHING_PERSONAL},
        "run_trainers": frozenset({"person_id", "name"}),
    }
    # What the provider publishes about its courses and customers, and where runs are held.
    not_personal: ClassVar = {
        "courses": frozenset(
            {
                "title",
                "summary",
                "description",
                "target_audience",
                "prerequisites",
                "outline_url",
                "reflection_questions",
            }
        ),
        "learning_outcomes": frozenset({"text"}),
        "course_runs": frozenset({"join_url", "eligible_audience"}),
        "organisations": frozenset({"name"}),
        "organisation_evidence": frozenset({"value"}),
    }

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        if subject.person_id is None:
            return None
        runs = (
            await session.scalars(
                select(CourseRun.code)
                .join(RunTrainer, RunTrainer.run_id == CourseRun.id)
                .where(RunTrainer.person_id == subject.person_id)
                .order_by(CourseRun.code)
            )
        ).all()
        if not runs:
            return None
        return Section("Training", (f"You train {', '.join(runs)}",), {"trainer_of": list(runs)})

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        person_id = erasure.subject.person_id
        if person_id is None:
            return {}
        linked = await session.execute(
            delete(RunTrainer).where(RunTrainer.person_id == person_id, RunTrainer.linked_in_teams.is_(True))
        )
        listed = await session.execute(
            update(RunTrainer).where(RunTrainer.person_id == person_id).values(person_id=None)
        )
        count = int(linked.rowcount) + int(listed.rowcount)  # type: ignore[attr-defined]
        return {"trainer links removed": count} if count else {}
