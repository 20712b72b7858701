"""The outbox as operators see it in chat: how delivery of reminders and notices is doing."""

from classroom.outbox.privacy import OutboxData
from dialogs.feature import Feature
from dialogs.outbox.commands import router

feature = Feature(name="outbox", commands=router, personal_data=[OutboxData()])
