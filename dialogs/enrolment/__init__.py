"""Enrolment as people see it: booking, the waitlist, clashes, "my courses", reminders and rosters."""

from classroom.enrolment.jobs import HOUSEKEEPING_CRON, HOUSEKEEPING_JOB
from classroom.enrolment.privacy import EnrolmentData
from dialogs.enrolment.card_actions import router as card_actions
from dialogs.enrolment.commands import router
from dialogs.enrolment.dialog import EnrolDialog
from dialogs.enrolment.notifications import NOTIFICATIONS
from dialogs.feature import Feature, Job

feature = Feature(
    name="enrolment",
    commands=router,
    card_actions=card_actions,
    dialogs=lambda services: [EnrolDialog(services)],
    notifications=NOTIFICATIONS,
    jobs=lambda services: [Job(HOUSEKEEPING_JOB, HOUSEKEEPING_CRON, services.enrolment.housekeeping_job())],
    personal_data=[EnrolmentData()],
)
