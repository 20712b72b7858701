"""``EvaluationService``: what the survey cards, ``evaluation`` and the report job call. Each method is one
transaction, retried on transient conflicts; who may do what is decided inside, from the caller's Entra object id."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.evaluation import answers, exports, planning, report, reports_due
from classroom.evaluation.answers import SurveyAnswers
from classroom.evaluation.exports import CsvFile, LinkIssued
from classroom.evaluation.notices import SurveyNotice
from classroom.evaluation.policy import EvaluationTiming
from classroom.evaluation.views import CourseComparison, RunReport
from classroom.periodic import PeriodicJob
from classroom.transactions import SessionFactory, in_transaction
from storage.models import EvaluationPhase

REPORTS_JOB = "evaluation.reports"
REPORTS_CRON = "*/15 * * * *"


class EvaluationService:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        timing: EvaluationTiming | None = None,
        link_ttl: timedelta = timedelta(minutes=30),
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self.timing = timing or EvaluationTiming()
        self._link_ttl = link_ttl

    async def survey(self, aad_object_id: str, enrolment_id: int, phase: EvaluationPhase) -> SurveyNotice:
        now = self._clock.now()

        async def opened(session: AsyncSession) -> SurveyNotice:
            survey = await answers.open_survey(session, aad_object_id, enrolment_id, phase, now=now, timing=self.timing)
            return survey.notice

        return await in_transaction(self._session_factory, opened)

    async def answer(
        self, aad_object_id: str, enrolment_id: int, phase: EvaluationPhase, given: SurveyAnswers
    ) -> SurveyNotice:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: answers.answer(s, aad_object_id, enrolment_id, phase, given, now=now, timing=self.timing),
        )

    async def skip(self, aad_object_id: str, enrolment_id: int, phase: EvaluationPhase) -> SurveyNotice:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: answers.skip(s, aad_object_id, enrolment_id, phase, now=now, timing=self.timing),
        )

    async def report(self, aad_object_id: str, code: str) -> RunReport | CourseComparison:
        """``evaluation RUN`` or ``evaluation COURSE``. Raises NotFound, NotAllowed."""
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: report.report_for_code(s, aad_object_id, code, now=now, timing=self.timing),
        )

    async def issue_export_link(self, aad_object_id: str, run_code: str) -> LinkIssued:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: exports.issue_link(s, aad_object_id, run_code, now=now, ttl=self._link_ttl),
        )

    async def export_file(self, token: str) -> CsvFile:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory, lambda s: exports.export_file(s, token, now=now, timing=self.timing)
        )

    async def send_after_survey(self, run_id: int) -> int:
        """The run's last meeting ended (a Teams meeting-end event): every participant's "after" survey now."""
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: planning.send_after_survey(s, run_id=run_id, now=now, timing=self.timing),
        )

    def reports_job(self) -> PeriodicJob:
        """The job (``REPORTS_JOB``) queueing each run's report card when it falls due."""

        async def queue(session: AsyncSession) -> None:
            await reports_due.queue_due_reports(session, now=self._clock.now(), timing=self.timing)

        return queue
