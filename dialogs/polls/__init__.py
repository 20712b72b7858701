"""In-session polls as people see them: linking a chat to a run, the quick form, the live card and its buttons."""

from classroom.polls.privacy import PollsData
from dialogs.feature import Feature
from dialogs.polls.card_actions import router as card_actions
from dialogs.polls.commands import router
from dialogs.polls.notifications import NOTIFICATIONS

feature = Feature(
    name="polls",
    commands=router,
    card_actions=card_actions,
    notifications=NOTIFICATIONS,
    personal_data=[PollsData()],
)
