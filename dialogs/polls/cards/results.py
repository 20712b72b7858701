"""Results after (or during) the session, for the run's trainers and coordinators: one poll (``poll results N``)
or every poll of a run (``polls RUN``), counts and percentages only, with a button for the CSV of answers.

The download link itself appears only in the answer to that button (which Teams shows to the presser alone) or
in a one-to-one chat: it is a credential. Questions and options were typed by trainers: literal text runs only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from classroom.polls.results import RunPolls
from classroom.polls.views import PollView
from dialogs.cards.base import CardMessage, Element, card, container, execute, open_url, submit, text
from dialogs.cards.formatting import plural, short_time
from dialogs.polls.cards.tallies import results
from dialogs.polls.parts import EXPORT, EXPORT_COMMAND, RUN_EXPORT_COMMAND


def _run(value: str, **style: object) -> dict[str, object]:
    return {"type": "TextRun", "text": value, **style}


def _literal(*runs: dict[str, object], spacing: str | None = None) -> Element:
    block: Element = {"type": "RichTextBlock", "inlines": list(runs)}
    if spacing:
        block["spacing"] = spacing
    return block


def _state(view: PollView, zone: ZoneInfo) -> str:
    kind = "anonymous" if view.anonymous else "named"
    answered = plural(view.voters, "person", "people") + " answered"
    if view.closed and view.closed_at is not None:
        return f"Poll {view.id} · {kind} · closed {short_time(view.closed_at, zone)} · {answered}"
    return f"Poll {view.id} · {kind} · open since {short_time(view.launched_at, zone)} · {answered}"


def _poll_section(view: PollView, zone: ZoneInfo, *, separator: bool) -> Element:
    return container(
        [
            text(_state(view, zone), subtle=True),
            _literal(_run(view.question, weight="Bolder"), spacing="Small"),
            *results(view),  # per kind, as on the poll's own card
        ],
        separator=separator,
    )


SECTIONS_BUDGET = 14_000  # bytes of results on one card: with its text fallback, under Teams' 28 KB for a card


def _sections_within_budget(views: list[PollView], zone: ZoneInfo) -> tuple[list[Element], list[PollView]]:
    """The newest polls' results, as many as fit the budget (always at least one); the others, left out."""
    sections: list[Element] = []
    used = 0
    for n, view in enumerate(views):
        section = _poll_section(view, zone, separator=True)
        used += len(json.dumps(section, ensure_ascii=False).encode("utf-8"))
        if sections and used > SECTIONS_BUDGET:
            return sections, views[n:]
        sections.append(section)
    return sections, []


def _download(url: str, expires_at: datetime, zone: ZoneInfo) -> list[Element]:
    note = (
        f"Your download link works until {short_time(expires_at, zone)}. It is for you alone: it opens the "
        "answers without signing in, so please don't forward it."
    )
    return [
        text(note, spacing="Medium"),
        {"type": "ActionSet", "actions": [open_url("Download answers (CSV)", url)]},
    ]


@dataclass(frozen=True)
class Download:
    """A download link issued to the person looking at the card."""

    url: str
    expires_at: datetime


def poll_export_button(poll_id: int) -> Element:
    fallback = submit("Download answers (CSV)", EXPORT_COMMAND, str(poll_id))
    return execute("Download answers (CSV)", EXPORT, {"poll": poll_id}, fallback=fallback)


def build_poll_results_card(
    view: PollView, zone: ZoneInfo, *, download: Download | None = None, notice: str | None = None
) -> CardMessage:
    body: list[Element] = []
    if notice:
        body.append(container([text(notice, weight="Bolder")], style="accent"))
    body += [text(f"Results · {view.run_code}", subtle=True), _poll_section(view, zone, separator=False)]
    if download is not None:
        body += _download(download.url, download.expires_at, zone)
    else:
        body.append({"type": "ActionSet", "spacing": "Medium", "actions": [poll_export_button(view.id)]})
    return card(body)


def build_run_polls_card(listing: RunPolls, zone: ZoneInfo, *, download: Download | None = None) -> CardMessage:
    title = f"Polls of {listing.run_code}" + (f" · {listing.course_title}" if listing.course_title else "")
    body: list[Element] = [_literal(_run(title, size="Large", weight="Bolder"))]
    if not listing.polls:
        body.append(
            text("No polls yet. In the run's linked chat, a trainer types **poll Question | Option | Option**.")
        )
        return card(body)
    if listing.total > len(listing.polls):
        body.append(text(f"The latest {len(listing.polls)} of {listing.total} polls.", subtle=True))
    sections, left_out = _sections_within_budget(listing.polls, zone)
    body += sections
    if left_out:
        numbers = ", ".join(str(view.id) for view in left_out)
        body.append(
            text(f"Earlier polls, shown one at a time to keep this message small: {numbers}.", spacing="Medium")
        )
    body.append(text("Type **poll results N** for one poll.", subtle=True, spacing="Medium"))
    if download is not None:
        body += _download(download.url, download.expires_at, zone)
    else:
        fallback = submit("Download all answers (CSV)", RUN_EXPORT_COMMAND, listing.run_code)
        button = execute("Download all answers (CSV)", EXPORT, {"run": listing.run_code}, fallback=fallback)
        body.append({"type": "ActionSet", "actions": [button]})
    return card(body)
