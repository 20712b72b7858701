"""``help``: what each person can do here, by their roles and where they are."""

from dialogs.feature import Feature
from dialogs.help.commands import router

feature = Feature(name="help", commands=router)
