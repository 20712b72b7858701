"""In-session polls as people see them: linking a chat to a run, the quick form, the live card and its buttons,
and the minutely job closing polls whose time is up."""

from classroom.polls.jobs import CLOSING_CRON, CLOSING_JOB, EXPORT_LINKS_CRON, EXPORT_LINKS_JOB
from classroom.polls.privacy import PollsData
from dialogs.feature import Feature, Job
from dialogs.polls.card_actions import router as card_actions
from dialogs.polls.commands import router
from dialogs.polls.notifications import NOTIFICATIONS
from dialogs.polls.results_commands import router as results_commands

router.include(results_commands)  # after the session: polls RUN, poll results N, downloads
feature = Feature(
    name="polls",
    commands=router,
    card_actions=card_actions,
    notifications=NOTIFICATIONS,
    jobs=lambda services: [
        Job(CLOSING_JOB, CLOSING_CRON, services.polls.closing_job()),
        Job(EXPORT_LINKS_JOB, EXPORT_LINKS_CRON, services.polls.export_links_job()),
    ],
    personal_data=[PollsData()],
)
