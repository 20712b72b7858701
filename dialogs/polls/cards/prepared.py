"""The prepared polls of a linked chat's run (``prepared``): each with its kind, who prepared it and when, and a
Launch button (``Action.Execute`` with a ``prepared launch N`` fallback); an earlier run's are marked for reuse.
Questions were typed by trainers: they appear as literal text runs and as button titles."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.polls.prepared import PreparedView
from dialogs.cards.base import CardMessage, Element, card, execute, submit, text
from dialogs.cards.formatting import short_time
from dialogs.polls.cards.poll import KIND_NAMES
from dialogs.polls.cards.tallies import run, runs
from dialogs.polls.parts import LAUNCH_PREPARED, PREPARED_COMMAND

NONE_YET = (
    "No polls are prepared for this run yet. In your chat with me, type **poll**: the card there saves a poll for "
    "a run."
)


def _entry(number: int, prepared: PreparedView, zone: ZoneInfo) -> list[Element]:
    whose = "" if prepared.this_run else f" · from {prepared.run_code}, for reuse"
    title = f"Launch {number}"  # numbered: never the same as another button, however typed
    launch = execute(
        title,
        LAUNCH_PREPARED,
        {"prepared": prepared.id},
        fallback=submit(title, PREPARED_COMMAND, f"launch {prepared.id}"),
    )
    return [
        runs(run(f"{number}. ", weight="Bolder"), run(prepared.question, weight="Bolder"), spacing="Medium"),
        text(
            f"{KIND_NAMES[prepared.kind]} · prepared by {prepared.prepared_by_name or 'a trainer'} on "
            f"{short_time(prepared.prepared_at, zone)}{whose}",
            subtle=True,
            spacing="None",
        ),
        {"type": "ActionSet", "actions": [launch]},
    ]


def build_prepared_polls_card(prepared: list[PreparedView], run_code: str, zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [text(f"Prepared polls · {run_code}", weight="Bolder")]
    if not prepared:
        body.append(text(NONE_YET))
    for number, entry in enumerate(prepared, start=1):
        body += _entry(number, entry, zone)
    return card(body)
