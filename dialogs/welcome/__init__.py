"""The bot arriving in a conversation (and leaving it): the welcome card, and the conversation remembered; and a
greeting answered with a greeting."""

from dialogs.feature import Events, Feature
from dialogs.welcome.events import forget, remember, welcome
from dialogs.welcome.greetings import router

feature = Feature(
    name="welcome",
    commands=router,
    events=Events(installed=welcome, added=remember, uninstalled=forget, installed_claims_receipt=True),
)
