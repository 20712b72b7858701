"""README's table of what people can type lists every command ``help`` can show, and says who may use it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.manifest_package import registered_commands
from dialogs.routing import Command

README = Path(__file__).resolve().parents[1] / "README.md"


def _command_table() -> dict[str, str]:
    """Each command word typed in the first column of "What people can type", to its "who" column."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## What people can type", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        for typed in re.findall(r"`([^`]+)`", cells[0]):
            rows[
                typed.split(" ")[0]
                if not typed.startswith(("my ", "roles ", "link ", "unlink ", "poll ", "forget "))
                else typed
            ] = cells[1]
    return rows


def _listed(typed_name: str, table: dict[str, str]) -> str | None:
    for typed, who in table.items():
        if typed == typed_name or typed.startswith(typed_name + " ") or typed.startswith(typed_name + "\\|"):
            return who
    return None


def _who(command: Command) -> set[str]:
    if command.for_everyone:
        return {"everyone"}
    return {role.value for role in command.roles}  # type: ignore[union-attr]


def test_every_listed_command_is_in_the_readme_with_who_may_use_it() -> None:
    table = _command_table()
    missing, wrong = [], []
    for command in registered_commands().commands.values():
        if not command.listed:
            continue
        who = _listed(command.name, table)
        if who is None:
            missing.append(command.name)
            continue
        said = who.lower()
        if not any(role in said for role in _who(command)):  # "everyone", or at least a role that may
            wrong.append(f"{command.name}: README says {who!r}, the command allows {sorted(_who(command))}")
    assert missing == [], f"commands missing from README's table: {missing}"
    assert wrong == []


def test_admin_commands_are_documented_with_their_roles() -> None:
    table = _command_table()
    for name in ("grant", "revoke"):
        assert _listed(name, table) == "admins"
    for name in ("roles", "roles history", "trainers", "link trainer", "unlink trainer"):
        assert _listed(name, table) == "admins, coordinators", name
