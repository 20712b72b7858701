"""Every feature's parts, merged once and checked: no command, button verb, notification kind, job or feature
registered twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botbuilder.dialogs import Dialog
from botbuilder.schema import Activity, ActivityTypes

from classroom.privacy.personal_data import PersonalData
from dialogs.card_actions import CardActionRouter
from dialogs.feature import EventHandler, Fallback, Feature, Job, Notification
from dialogs.routing import Router
from dialogs.services import Services

MAX_KIND_LENGTH = 64  # the outbox's kind column
INSTALL_ACTIONS = ("add", "add-upgrade")  # installationUpdate actions botbuilder routes to on_installation_update_add


class FeatureRegistry:
    def __init__(self, features: Sequence[Feature]) -> None:
        _once([feature.name for feature in features], "a feature is listed twice")
        self.features = tuple(features)
        self.commands = Router()
        self.card_actions = CardActionRouter()
        self.notifications: dict[str, Notification[Any]] = {}
        self.fallbacks: list[Fallback] = []
        self.on_installed: list[EventHandler] = []
        self.on_added: list[EventHandler] = []
        self.on_uninstalled: list[EventHandler] = []
        self.on_members_joined: list[EventHandler] = []
        self.on_meeting_started: list[EventHandler] = []
        self.on_meeting_ended: list[EventHandler] = []
        self.on_participants_joined: list[EventHandler] = []
        self.on_participants_left: list[EventHandler] = []
        self.personal_data: list[PersonalData] = []
        installs_claimed: list[bool] = []
        for feature in features:
            self.commands.include(feature.commands)
            self.card_actions.include(feature.card_actions)
            for notification in feature.notifications:
                self._add_notification(notification)
            self.fallbacks.extend(feature.fallbacks)
            self.personal_data.extend(feature.personal_data)
            if feature.events.installed:
                self.on_installed.append(feature.events.installed)
                installs_claimed.append(feature.events.installed_claims_receipt)
            if feature.events.added:
                self.on_added.append(feature.events.added)
            if feature.events.uninstalled:
                self.on_uninstalled.append(feature.events.uninstalled)
            if feature.events.members_joined:
                self.on_members_joined.append(feature.events.members_joined)
            if feature.events.meeting_started:
                self.on_meeting_started.append(feature.events.meeting_started)
            if feature.events.meeting_ended:
                self.on_meeting_ended.append(feature.events.meeting_ended)
            if feature.events.participants_joined:
                self.on_participants_joined.append(feature.events.participants_joined)
            if feature.events.participants_left:
                self.on_participants_left.append(feature.events.participants_left)
        # An install's one handler may claim its activity in the transaction of its work; with several, the claim
        # is made before them, as for any other activity.
        self.install_claimed_by_handler = installs_claimed == [True]

    def claims_own_receipt(self, activity: Activity) -> bool:
        """Whether this activity's handler claims it itself (``card_actions.turn_receipt``), in the transaction of
        its work, rather than the turn before it runs."""
        if activity.type == ActivityTypes.installation_update:
            return self.install_claimed_by_handler and activity.action in INSTALL_ACTIONS
        return self.card_actions.claims_own_receipt(activity)

    def _add_notification(self, notification: Notification[Any]) -> None:
        kind = notification.kind
        if not kind or len(kind) > MAX_KIND_LENGTH:
            raise ValueError(f"notification kind {kind!r} must be 1-{MAX_KIND_LENGTH} characters")
        if kind in self.notifications:
            raise ValueError(f"notification kind {kind!r} registered twice")
        self.notifications[kind] = notification

    def dialogs(self, services: Services) -> list[Dialog]:
        """Every feature's dialogs, built with the running services."""
        built = [dialog for feature in self.features for dialog in feature.dialogs(services)]
        _once([dialog.id for dialog in built], "a dialog id is used twice")
        return built

    def jobs(self, services: Services) -> list[Job]:
        """Every feature's periodic jobs, built with the running services."""
        jobs = [job for feature in self.features for job in feature.jobs(services)]
        _once([job.name for job in jobs], "a periodic job name is used twice")
        return jobs


def _once(names: list[str], problem: str) -> None:
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{problem}: {', '.join(repeated)}")
