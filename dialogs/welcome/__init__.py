"""The bot arriving in a conversation (and leaving it): the welcome card, and the conversation remembered."""

from dialogs.feature import Events, Feature
from dialogs.welcome.events import forget, remember, welcome

feature = Feature(name="welcome", events=Events(installed=welcome, added=remember, uninstalled=forget))
