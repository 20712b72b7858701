"""Rewrite the command lists in ``manifest/manifest.json`` from the bot's command registry.

Run it after adding, renaming or re-describing a command (``python manifest/sync_commands.py``); a test fails
while the manifest and the registry disagree. Everything else in the template is kept as it is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "manifest.json"


def main() -> int:
    sys.path.insert(0, str(TEMPLATE.parents[1]))  # run from a checkout without installing
    from bot.manifest_package import expected_command_lists, registered_commands

    manifest = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    lists = expected_command_lists(registered_commands())
    if manifest["bots"][0].get("commandLists") == lists:
        print(f"{TEMPLATE}: command lists already match the bot's commands")
        return 0
    manifest["bots"][0]["commandLists"] = lists
    TEMPLATE.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for command_list in lists:
        titles = ", ".join(command["title"] for command in command_list["commands"])
        print(f"{'/'.join(command_list['scopes'])}: {titles}")
    print(f"Updated {TEMPLATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
