"""The CPD log card (``my cpd``), one entry's fields ready to copy (``cpd N``), and the delete question. Shown
only to the author, in their 1:1 chat; their words appear only as literal text."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.reflection.form import WHAT_SWE_ASKS, form_fields, hours_text
from classroom.reflection.registration_year import registration_year_label
from classroom.reflection.views import CpdEntryView, CpdLogView
from dialogs.cards.base import CardMessage, Element, card, container, facts, heading, literal, open_url, submit, text

MAX_LISTED = 15


def _entry_row(entry: CpdEntryView) -> Element:
    peer = " · peer reflection" if entry.has_peer_reflection else ""
    when = entry.activity_date.strftime("%-d %b %Y")
    return container(
        [
            text(f"**#{entry.id}** · {when} · {entry.cpd_type} · {hours_text(entry.minutes)}{peer}", subtle=True),
            literal(entry.fields.title),
            {"type": "ActionSet", "actions": [submit(f"Open #{entry.id} to copy", "cpd", str(entry.id))]},
        ],
        separator=True,
    )


def build_cpd_log_card(log: CpdLogView, zone: ZoneInfo, downloads: dict[str, str] | None = None) -> CardMessage:
    """``downloads``: kind ("docx", "csv") -> a fresh expiring link to this year's log as that file."""
    minutes = sum(e.minutes for e in log.entries)
    body: list[Element] = [
        heading("Your CPD log", size="Medium"),
        text(f"Registration year {registration_year_label(log.registration_year)}", subtle=True, spacing="None"),
        facts(
            [
                ("Entries this year", str(len(log.entries))),
                ("With peer reflection", str(log.with_peer_reflection)),
                ("Hours", hours_text(minutes)),
            ]
        ),
        container([text("What Social Work England asks", weight="Bolder"), text(WHAT_SWE_ASKS)], style="emphasis"),
    ]
    if log.entries and log.with_peer_reflection == 0:
        body.append(text("None of this year's entries has a peer reflection yet.", weight="Bolder"))
    if not log.entries:
        body.append(text("No entries in this registration year yet. Each course reflection you finish appears here."))
    body.extend(_entry_row(e) for e in log.entries[:MAX_LISTED])
    if len(log.entries) > MAX_LISTED:
        body.append(text(f"… and {len(log.entries) - MAX_LISTED} more.", subtle=True))
    body.append(text("Only you can see this log.", subtle=True))
    actions = [submit("Add other CPD", "cpd", "add")]
    if downloads and log.entries:
        body.append(text("The download links work for 30 minutes; type **my cpd** for new ones.", subtle=True))
        actions += [open_url("Download Word", downloads["docx"]), open_url("Download CSV", downloads["csv"])]
    actions += [submit(f"Year from 1 Dec {y}", "my cpd", str(y)) for y in log.other_years[:3]]
    return card(body, actions or None)


def build_cpd_entry_card(entry: CpdEntryView, zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [
        heading(f"CPD entry #{entry.id}", size="Medium"),
        text("Each field as Social Work England's form asks for it, ready to copy and paste.", subtle=True),
    ]
    for title, value in form_fields(entry, zone):
        body.append(text(title, weight="Bolder", spacing="Medium"))
        body.append(literal(value) if value else text("(nothing written)", subtle=True))
    return card(
        body,
        [
            submit("My CPD log", "my cpd"),
            submit("Edit", "cpd", f"{entry.id} edit"),
            submit("Delete", "cpd", f"{entry.id} delete"),
        ],
    )


def build_delete_card(entry: CpdEntryView) -> CardMessage:
    return card(
        [
            heading(f"Delete CPD entry #{entry.id}?", size="Medium"),
            literal(entry.fields.title),
            text(
                "This can't be undone."
                + (
                    " Your answers to the course's prompt stay; saving them again makes a new entry."
                    if entry.from_course
                    else ""
                )
            ),
        ],
        [
            submit("Yes, delete it", "cpd", f"{entry.id} delete confirm", style="destructive"),
            submit("No, keep it", "my cpd"),
        ],
    )
