"""Reflection after each session and the private CPD log, as people see them: the prompt card in the 1:1 chat,
``my cpd`` and ``cpd``, and the trainers' counts-only ``reflections``."""

from classroom.reflection.privacy import ReflectionData
from dialogs.feature import Feature
from dialogs.reflection.card_actions import router as card_actions
from dialogs.reflection.commands import router
from dialogs.reflection.notifications import NOTIFICATIONS

feature = Feature(
    name="reflection",
    commands=router,
    card_actions=card_actions,
    notifications=NOTIFICATIONS,
    personal_data=[ReflectionData()],  # the host gives it the keys (bot/assembly.py)
)
