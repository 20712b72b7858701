"""Administration's cards: who holds which role, a role change to confirm and its outcomes, a run's trainers and
the record of changes (names with markdown in them, which must show as typed)."""

from __future__ import annotations

from datetime import timedelta

from classroom.admin.views import ChangeRecord, RoleChange, RoleHolder, RunTrainers
from dialogs.admin.cards import (
    build_cancelled_card,
    build_history_card,
    build_role_changed_card,
    build_role_confirmation_card,
    build_roles_card,
    build_trainers_card,
)
from storage.models import AdminAction, Role
from tests.support.card_samples import CardSample, SampleContext

MEGAN = "00000000-0000-0000-0000-0000000000021"


async def samples(context: SampleContext) -> list[CardSample]:
    holders = [
        RoleHolder("Patti Fernandez", "aad-patti", (Role.ADMIN, Role.COORDINATOR)),
        RoleHolder("Adele Vance", "aad-adele", (Role.COORDINATOR,)),
        RoleHolder("Megan **Bowen**", MEGAN, (Role.TRAINER,)),
    ]
    records = [
        ChangeRecord(context.now, AdminAction.GRANT, "Patti Fernandez", "Megan Bowen", "trainer", None),
        ChangeRecord(
            context.now - timedelta(hours=1), AdminAction.LINK_TRAINER, "Adele Vance", "Megan", None, "PERM4-A"
        ),
        ChangeRecord(context.now - timedelta(days=1), AdminAction.GRANT, "", "Patti Fernandez", "admin", None),
    ]
    return [
        CardSample("roles/three", build_roles_card.__name__, build_roles_card(holders)),
        CardSample("roles/nobody", build_roles_card.__name__, build_roles_card([])),
        CardSample(
            "role_change/grant",
            build_role_confirmation_card.__name__,
            build_role_confirmation_card("Megan Bowen", MEGAN, Role.COORDINATOR, grant=True),
        ),
        CardSample(
            "role_change/revoke",
            build_role_confirmation_card.__name__,
            build_role_confirmation_card("[Megan](https://ev.il)", MEGAN, Role.ADMIN, grant=False),
        ),
        CardSample(
            "role_change/granted",
            build_role_changed_card.__name__,
            build_role_changed_card(RoleChange("Megan Bowen", MEGAN, Role.TRAINER, granted=True, changed=True)),
        ),
        CardSample(
            "role_change/already",
            build_role_changed_card.__name__,
            build_role_changed_card(RoleChange("Megan Bowen", MEGAN, Role.TRAINER, granted=False, changed=False)),
        ),
        CardSample("role_change/cancelled", build_cancelled_card.__name__, build_cancelled_card()),
        CardSample(
            "trainers/PERM4",
            build_trainers_card.__name__,
            build_trainers_card(
                [
                    RunTrainers("PERM4-A", "Permanence", (("Zoe Rosenfield", False), ("Megan Bowen", True))),
                    RunTrainers("PERM4-B", "Permanence", ()),
                ]
            ),
        ),
        CardSample("roles_history/three", build_history_card.__name__, build_history_card(records, context.zone)),
        CardSample("roles_history/none", build_history_card.__name__, build_history_card([], context.zone)),
    ]
