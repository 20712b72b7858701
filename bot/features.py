"""The features the bot runs, in order: their commands appear in ``help`` and the app's command menu in this
order, and messages no command matches are offered to their fallbacks in this order. Adding a feature is its
packages plus one line here (and its service, if it has one, in ``dialogs/services.py`` and ``bot/assembly.py``)."""

from __future__ import annotations

from dialogs import (
    admin,
    catalogue,
    certificates,
    enquiries,
    enrolment,
    evaluation,
    help,
    meetings,
    outbox,
    polls,
    privacy,
    reflection,
    welcome,
)
from dialogs.feature import Feature

FEATURES: tuple[Feature, ...] = (
    catalogue.feature,
    outbox.feature,
    enquiries.feature,
    enrolment.feature,
    polls.feature,  # before admin: a trainer's poll and link, not roles, fill the last places in the chat menus
    reflection.feature,
    meetings.feature,
    certificates.feature,
    evaluation.feature,
    admin.feature,
    privacy.feature,
    help.feature,
    welcome.feature,
)
