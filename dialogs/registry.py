"""Every feature's parts, merged once and checked: no command, button verb, notification kind, job or feature
registered twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botbuilder.dialogs import Dialog

from dialogs.card_actions import CardActionRouter
from dialogs.feature import EventHandler, Fallback, Feature, Job, Notification
from dialogs.routing import Router
from dialogs.services import Services

MAX_KIND_LENGTH = 64  # the outbox's kind column


class FeatureRegistry:
    def __init__(self, features: Sequence[Feature]) -> None:
        names = [feature.name for feature in features]
        if len(names) != len(set(names)):
            raise ValueError(f"a feature is listed twice: {names}")
        self.features = tuple(features)
        self.commands = Router()
        self.card_actions = CardActionRouter()
        self.notifications: dict[str, Notification[Any]] = {}
        self.fallbacks: list[Fallback] = []
        self.on_installed: list[EventHandler] = []
        self.on_added: list[EventHandler] = []
        self.on_uninstalled: list[EventHandler] = []
        for feature in features:
            self.commands.include(feature.commands)
            self.card_actions.include(feature.card_actions)
            for notification in feature.notifications:
                self._add_notification(notification)
            self.fallbacks.extend(feature.fallbacks)
            if feature.events.installed:
                self.on_installed.append(feature.events.installed)
            if feature.events.added:
                self.on_added.append(feature.events.added)
            if feature.events.uninstalled:
                self.on_uninstalled.append(feature.events.uninstalled)

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
        ids = [dialog.id for dialog in built]
        if len(ids) != len(set(ids)):
            raise ValueError(f"a dialog id is used twice: {sorted(ids)}")
        return built

    def jobs(self, services: Services) -> list[Job]:
        """Every feature's periodic jobs, built with the running services."""
        jobs = [job for feature in self.features for job in feature.jobs(services)]
        names = [job.name for job in jobs]
        if len(names) != len(set(names)):
            raise ValueError(f"a periodic job name is used twice: {sorted(names)}")
        return jobs
