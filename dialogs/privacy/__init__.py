"""Data protection as people see it: ``my data`` (a summary and a file), ``forget me`` (and admins' ``forget
@person``), ``audit`` for admins, and the daily retention purge. It also brings the personal data of the host's
own tables (people, chats, dialog state), which belong to no other feature."""

from classroom.conversations import ConversationsData
from classroom.privacy.core_data import DialogStateData, HousekeepingData, PeopleData
from classroom.privacy.own_data import PrivacyData
from dialogs.feature import Feature, Job
from dialogs.privacy.card_actions import router as card_actions
from dialogs.privacy.commands import router

PURGE_JOB = "privacy-purge"  # never rename: the database guards each day's purge by this name
PURGE_CRON = "15 3 * * *"  # daily at 03:15 local time, when nobody is in a session

feature = Feature(
    name="privacy",
    commands=router,
    card_actions=card_actions,
    jobs=lambda services: [Job(PURGE_JOB, PURGE_CRON, services.privacy.purge_job())],
    personal_data=[PeopleData(), DialogStateData(), ConversationsData(), PrivacyData(), HousekeepingData()],
)
