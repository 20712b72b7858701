"""Administration cards: who holds which role, a role change to confirm (and its outcome), a run's trainers, and
the record of changes. Names are people's own (Teams display names): always shown as literal text."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.admin.views import ChangeRecord, RoleChange, RoleHolder, RunTrainers, TrainerLinkChange
from dialogs.cards.base import CardMessage, Element, card, execute, heading, literal, submit, text
from dialogs.cards.formatting import short_time
from storage.models import AdminAction, Role

GRANT = "admin.grant"
REVOKE = "admin.revoke"
CANCEL = "admin.cancel"
CONFIRM_COMMAND = "role change"  # what the confirmation's buttons fall back to (Action.Submit)

WHAT_ROLES_DO = {
    Role.ADMIN: "grants and revokes roles, links trainers to runs and sees the record of changes",
    Role.COORDINATOR: "receives enquiries, sees every roster, moves sessions, links trainers to runs",
    Role.TRAINER: "sees the rosters of the runs they are linked to and decides their clashes",
}
TITLES = {Role.ADMIN: "Admins", Role.COORDINATOR: "Coordinators", Role.TRAINER: "Trainers"}


def build_roles_card(holders: list[RoleHolder]) -> CardMessage:
    body: list[Element] = [heading("Who holds which role", size="Medium")]
    for role, title in TITLES.items():
        names = [h.name or "(no name)" for h in holders if role in h.roles]
        body.append(text(f"{title} ({len(names)})", weight="Bolder"))
        body.append(literal(", ".join(names)) if names else text("Nobody.", subtle=True))
    body.append(text("Everyone else is a participant.", subtle=True))
    return card(body, [submit("Recent changes", "roles history")])


def build_role_confirmation_card(name: str, aad_object_id: str, role: Role, *, grant: bool) -> CardMessage:
    verb, title = (GRANT, f"Give the {role.value} role") if grant else (REVOKE, f"Take the {role.value} role")
    what = "now gets" if grant else "loses"
    data = {"person": aad_object_id, "name": name, "role": role.value}
    fallback = submit(title, CONFIRM_COMMAND, f"{'grant' if grant else 'revoke'} {aad_object_id} {role.value}")
    return card(
        [
            heading(f"{'Grant' if grant else 'Revoke'} the {role.value} role?", size="Medium"),
            literal(name or "(no name)"),
            text(f"A {role.value} {WHAT_ROLES_DO[role]}; this person {what} that at once."),
            text("The change is recorded with your name. Nothing changes until you confirm.", subtle=True),
        ],
        [
            execute(title, verb, data, style="positive" if grant else "destructive", fallback=fallback),
            execute("Cancel", CANCEL, {}, fallback=submit("Cancel", "roles")),
        ],
    )


def build_role_changed_card(change: RoleChange) -> CardMessage:
    name = change.name or "(no name)"
    if not change.changed:
        heading_text = "Nothing to change"
        words = (
            f"They already hold the {change.role.value} role."
            if change.granted
            else f"They do not hold the {change.role.value} role."
        )
    elif change.granted:
        heading_text, words = f"Granted: {change.role.value}", f"They are now a {change.role.value}."
    else:
        heading_text, words = f"Revoked: {change.role.value}", f"They are no longer a {change.role.value}."
    if change.coordinators_chat_unset:
        words += (
            " They may be in the coordinators' shared chat, so enquiries now go to each coordinator's one-to-one "
            "chat until a coordinator types **coordinators here** in a chat of coordinators only."
        )
    return card(
        [heading(heading_text, size="Medium"), literal(name), text(words)], [submit("Who holds which role", "roles")]
    )


def build_cancelled_card() -> CardMessage:
    return card([heading("Nothing changed", size="Medium"), text("No role was granted or revoked.")])


def build_trainers_card(runs: list[RunTrainers]) -> CardMessage:
    body: list[Element] = [heading("Trainers", size="Medium")]
    for run in runs:
        body.append(text(f"{run.run_code}", weight="Bolder"))
        body.append(literal(run.course_title))
        if not run.trainers:
            body.append(text("No trainer yet.", subtle=True))
        for name, linked in run.trainers:
            body.append(literal(f"{name} {'(linked to Teams)' if linked else '(not linked: gets no cards)'}"))
    return card(body)


def trainer_link_words(change: TrainerLinkChange) -> str:
    """Plain words (names without markdown are the caller's to give) for a link or unlink."""
    done, already = ", ".join(change.runs), ", ".join(change.unchanged)
    if change.linked:
        said = f"now trains {done}: they see its roster and decide its clashes." if done else ""
        if already:
            said += f" Already a trainer of {already}."
        if change.trainer_role_granted:
            said += " They were given the trainer role."
    else:
        said = f"no longer trains {done}." if done else ""
        if already:
            said += f" Was not a trainer of {already}."
    return said.strip()


_ACTIONS = {
    AdminAction.GRANT: "granted",
    AdminAction.REVOKE: "revoked",
    AdminAction.LINK_TRAINER: "linked as trainer",
    AdminAction.UNLINK_TRAINER: "unlinked as trainer",
}


def build_history_card(records: list[ChangeRecord], zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [heading("Recent changes to roles and trainers", size="Medium")]
    if not records:
        body.append(text("No changes yet.", subtle=True))
    for record in records:
        when = short_time(record.at, zone)
        who = record.actor_name or "ADMIN_AAD_OBJECT_IDS (at start)"
        what = record.role if record.role else record.run_code or ""
        body.append(literal(f"{when}: {who} {_ACTIONS[record.action]} {what}: {record.subject_name}"))
    return card(body)
