"""The live session in Teams as people see it: meeting start and end, participants joining and leaving (Teams
events, read here), the start card in the meeting chat, the summary to trainers and the kind word to who missed,
the register card and ``attendance RUN``."""

from classroom.meetings.privacy import MeetingsData
from dialogs.feature import Events, Feature, Job
from dialogs.meetings import events
from dialogs.meetings.card_actions import router as card_actions
from dialogs.meetings.commands import router
from dialogs.meetings.links import EXPORT_LINKS_CRON, EXPORT_LINKS_JOB, STALE_SESSIONS_CRON, STALE_SESSIONS_JOB
from dialogs.meetings.notifications import NOTIFICATIONS

feature = Feature(
    name="meetings",
    commands=router,
    card_actions=card_actions,
    notifications=NOTIFICATIONS,
    events=Events(
        added=events.added,
        meeting_started=events.meeting_started,
        meeting_ended=events.meeting_ended,
        participants_joined=events.participants_joined,
        participants_left=events.participants_left,
    ),
    jobs=lambda services: [
        Job(EXPORT_LINKS_JOB, EXPORT_LINKS_CRON, services.meetings.export_links_job()),
        Job(STALE_SESSIONS_JOB, STALE_SESSIONS_CRON, services.meetings.stale_sessions_job()),
    ],
    personal_data=[MeetingsData()],
)
