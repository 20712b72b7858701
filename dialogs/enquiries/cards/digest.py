"""The coordinators' daily digest: counts first, then the oldest enquiries of each section."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enquiries.digest import Digest, DigestLine, DigestSection
from dialogs.cards.base import CardMessage, Element, card, container, facts, heading, submit, text
from dialogs.cards.formatting import local_date, plural, short_time
from dialogs.enquiries.cards.parts import kind_label, run, runs


def _line(line: DigestLine, zone: ZoneInfo) -> Element:
    parts = [
        run(f"{line.reference} ", weight="Bolder"),
        run(f"{kind_label(line.kind)} from "),
        run(line.enquirer_name),
        run(", "),
        run(line.organisation),
        run(f" · received {short_time(line.created_at, zone)}", isSubtle=True),
    ]
    if line.overdue_since is not None:
        parts.append(run(f" · overdue since {short_time(line.overdue_since, zone)}", color="Attention"))
    if line.assignee_name is not None:
        parts += [run(" · "), run(line.assignee_name or "a coordinator", isSubtle=True)]
    return runs(*parts, spacing="Small")


def _section(title: str, section: DigestSection, zone: ZoneInfo, empty: str) -> Element:
    items: list[Element] = [text(f"**{title} ({section.total})**")]
    if not section.lines:
        items.append(text(empty, subtle=True, spacing="None"))
    items.extend(_line(line, zone) for line in section.lines)
    if section.total > len(section.lines):
        items.append(text(f"… and {section.total - len(section.lines)} more.", subtle=True, spacing="Small"))
    return container(items, separator=True)


def build_enquiry_digest_card(digest: Digest, zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [
        heading(f"Enquiries digest · {local_date(digest.generated_at, zone)}", size="Medium"),
        facts(
            [
                ("New since the last digest", str(digest.new.total)),
                ("Open", str(digest.open.total)),
                ("Unassigned", str(digest.unassigned.total)),
                (f"Overdue (no reply for {plural(digest.overdue_after, 'working day')})", str(digest.overdue.total)),
            ]
        ),
    ]
    if digest.empty:
        body.append(text("No open enquiries and nothing new. All clear."))
        return card(body)
    body += [
        _section("Overdue", digest.overdue, zone, "None overdue."),
        _section("Unassigned", digest.unassigned, zone, "Every open enquiry has someone on it."),
        _section("New", digest.new, zone, f"Nothing new since {short_time(digest.since, zone)}."),
        _section("Open", digest.open, zone, "No open enquiries."),
    ]
    body.append(text("Oldest first in every list.", subtle=True))
    return card(body, [submit("Unassigned", "enquiries", "unassigned"), submit("All open", "enquiries", "open")])
