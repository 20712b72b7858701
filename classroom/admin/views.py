"""What administration shows: people with their roles, a run's trainers, and recorded changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.models import AdminAction, Role


@dataclass(frozen=True)
class RoleHolder:
    name: str
    aad_object_id: str
    roles: tuple[Role, ...]  # beyond participant, most powerful first


@dataclass(frozen=True)
class RoleChange:
    """The outcome of a grant or revoke: ``changed`` False when it was already so (nothing was recorded)."""

    name: str
    aad_object_id: str
    role: Role
    granted: bool
    changed: bool
    # A coordinator's role was revoked while a shared coordinators' conversation was set: they may be in it, so it
    # was unset (enquiries go to each coordinator's 1:1 chat until it is chosen again, its members checked then).
    coordinators_chat_unset: bool = False


@dataclass(frozen=True)
class RunTrainers:
    run_code: str
    course_title: str
    trainers: tuple[tuple[str, bool], ...]  # name, linked to a Teams account


@dataclass(frozen=True)
class TrainerLinkChange:
    """``runs``: the runs changed; ``unchanged``: the runs that were already so."""

    name: str
    aad_object_id: str
    linked: bool
    runs: tuple[str, ...]
    unchanged: tuple[str, ...]
    trainer_role_granted: bool = False


@dataclass(frozen=True)
class ChangeRecord:
    at: datetime
    action: AdminAction
    actor_name: str  # "" for the ADMIN_AAD_OBJECT_IDS bootstrap
    subject_name: str
    role: str | None
    run_code: str | None
