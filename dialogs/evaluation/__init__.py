"""Course evaluation as people see it: the "before" and "after" survey cards in a participant's 1:1 chat, and
``evaluation`` (a run's report, or a course's runs compared) with its CSV and end-of-run card for the trainers
and coordinators."""

from classroom.evaluation.privacy import EvaluationData
from classroom.evaluation.service import REPORTS_CRON, REPORTS_JOB
from dialogs.evaluation.card_actions import router as card_actions
from dialogs.evaluation.commands import router
from dialogs.evaluation.notifications import NOTIFICATIONS
from dialogs.feature import Feature, Job

feature = Feature(
    name="evaluation",
    commands=router,
    card_actions=card_actions,
    notifications=NOTIFICATIONS,
    jobs=lambda services: [Job(REPORTS_JOB, REPORTS_CRON, services.evaluation.reports_job())],
    personal_data=[EvaluationData()],
)
