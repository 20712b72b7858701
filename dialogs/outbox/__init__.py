"""The outbox as operators see it in chat: how delivery of reminders and notices is doing."""

from classroom.outbox.notice import ErasedNotice
from classroom.outbox.privacy import OutboxData
from dialogs.feature import Feature, Notification
from dialogs.outbox.card import build_erased_card
from dialogs.outbox.commands import router

feature = Feature(
    name="outbox",
    commands=router,
    notifications=[Notification(ErasedNotice, build_erased_card)],
    personal_data=[OutboxData()],
)
