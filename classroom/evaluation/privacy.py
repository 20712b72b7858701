"""The personal data of the evaluation: a person's survey answers, stored under a respondent key (no person id),
and the CSV links issued to trainers and coordinators.

While a run's key exists the person's answers are found through their enrolments (export, erase); a year after
the run's last session (``RETENTION_EVALUATION_KEYS_DAYS``) the key is dropped, after which the answers are
anonymous and kept as statistics.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.evaluation.answers import own_answers
from classroom.evaluation.exports import purge_links
from classroom.evaluation.keys import respondent_key
from classroom.privacy.personal_data import Erasure, PersonalData, Retention, Section, Subject
from classroom.privacy.retention import DOWNLOAD_LINKS, EVALUATION_KEYS
from storage.models import (
    CourseRun,
    Enrolment,
    EvaluationExportLink,
    EvaluationResponse,
    EvaluationRunKey,
    RunSession,
)


async def _keys_of(session: AsyncSession, person_id: int) -> list[tuple[int, str, str]]:
    """(run id, run code, respondent key) of each enrolment of the person whose run still has its key."""
    rows = await session.execute(
        select(Enrolment.id, Enrolment.run_id, CourseRun.code, EvaluationRunKey.hmac_key)
        .join(CourseRun, CourseRun.id == Enrolment.run_id)
        .join(EvaluationRunKey, EvaluationRunKey.run_id == Enrolment.run_id)
        .where(Enrolment.person_id == person_id, EvaluationRunKey.hmac_key.is_not(None))
    )
    return [(run_id, code, respondent_key(key, enrolment_id)) for enrolment_id, run_id, code, key in rows.all() if key]


class EvaluationData(PersonalData):
    tables: ClassVar = {
        "evaluation_run_keys": frozenset(),  # a random key per run: nobody's data
        "evaluation_responses": frozenset({"respondent_key", "change_text", "answered_at"}),
        "evaluation_ratings": frozenset({"rating"}),
        "evaluation_export_links": frozenset({"issued_to_aad_object_id", "token_hash"}),
    }
    not_personal: ClassVar = {
        "evaluation_ratings": frozenset({"outcome"}),  # the course's learning outcome, from the catalogue
    }
    erase_order: ClassVar = 20  # while the person's enrolments still lead to their answers

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        if subject.person_id is None:
            return None
        answers: list[dict[str, Any]] = []
        for run_id, code, key in await _keys_of(session, subject.person_id):
            for response in await own_answers(session, run_id, key):
                answers.append(
                    {
                        "run": code,
                        "phase": response.phase.value,
                        "skipped": response.skipped,
                        "answered_at": response.answered_at.isoformat(),
                        "ratings": [
                            {"outcome": r.outcome, "item": r.item, "rating": r.rating} for r in response.ratings
                        ],
                        "relevance": response.relevance,
                        "trainers": response.trainers,
                        "pace": response.pace,
                        "recommend": response.recommend,
                        "what_should_change": response.change_text,
                    }
                )
        if not answers:
            return None
        lines = tuple(f"{a['run']}: {a['phase']} survey {'skipped' if a['skipped'] else 'answered'}" for a in answers)
        return Section("Course evaluation answers", lines, {"evaluation_answers": answers})

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        aad = erasure.subject.aad_object_id
        await session.execute(delete(EvaluationExportLink).where(EvaluationExportLink.issued_to_aad_object_id == aad))
        if erasure.subject.person_id is None:
            return {}
        deleted = 0
        for run_id, _code, key in await _keys_of(session, erasure.subject.person_id):
            result = await session.execute(
                delete(EvaluationResponse).where(
                    EvaluationResponse.run_id == run_id, EvaluationResponse.respondent_key == key
                )
            )
            deleted += int(result.rowcount)  # type: ignore[attr-defined]
        return {"evaluation answers deleted": deleted} if deleted else {}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        """Expired CSV links go; ``RETENTION_EVALUATION_KEYS_DAYS`` after a run's last session its key goes, and its
        answers are anonymous."""
        links = await purge_links(session, now - retention.period(DOWNLOAD_LINKS))
        ended = (
            select(RunSession.run_id)
            .group_by(RunSession.run_id)
            .having(func.max(RunSession.ends_at) < now - retention.period(EVALUATION_KEYS))
        )
        keys = await session.execute(
            update(EvaluationRunKey)
            .where(EvaluationRunKey.run_id.in_(ended), EvaluationRunKey.hmac_key.is_not(None))
            .values(hmac_key=None)
        )
        return {DOWNLOAD_LINKS: links, EVALUATION_KEYS: int(keys.rowcount)}  # type: ignore[attr-defined]
