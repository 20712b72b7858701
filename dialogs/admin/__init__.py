"""Administration in Teams: who holds which role, granting and revoking roles, linking trainers to runs, and the
record of every change."""

from classroom.admin.privacy import AdminData
from dialogs.admin.card_actions import router as card_actions
from dialogs.admin.commands import router
from dialogs.feature import Feature

feature = Feature(name="admin", commands=router, card_actions=card_actions, personal_data=[AdminData()])
