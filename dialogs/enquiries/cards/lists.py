"""Lists of enquiries: a coordinator's filtered view (oldest waiting first) or a participant's own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from classroom.enquiries.queries import EnquiryList, EnquirySummary
from classroom.enquiries.working_days import working_days_between
from dialogs.cards.base import CardMessage, Element, card, container, heading, submit, text
from dialogs.cards.formatting import plural, short_time
from dialogs.enquiries.cards.parts import STATUS_LABELS, kind_label, run, runs


def _waiting(item: EnquirySummary, now: datetime, zone: ZoneInfo) -> str:
    if item.awaiting_since is None:
        return ""
    days = working_days_between(item.awaiting_since, now, zone)
    return " · waiting " + (plural(days, "working day") if days else "since today")


def _coordinator_entry(item: EnquirySummary, now: datetime, zone: ZoneInfo) -> Element:
    assignee = (
        [run("assigned to "), run(item.assignee_name or "a coordinator", weight="Bolder")]
        if item.assignee_name is not None
        else [run("unassigned", color="Attention")]
    )
    return container(
        [
            runs(run(f"{item.reference} · {kind_label(item.kind)}", weight="Bolder")),
            runs(run(item.enquirer_name), run(", "), run(item.organisation), spacing="None"),
            runs(
                run(f"{STATUS_LABELS[item.status]} · received {short_time(item.created_at, zone)} · "),
                *assignee,
                run(_waiting(item, now, zone)),
                spacing="None",
            ),
            {"type": "ActionSet", "actions": [submit(f"Open {item.reference}", "enquiry", item.reference)]},
        ],
        separator=True,
    )


def build_coordinator_list_card(listing: EnquiryList, which: str, now: datetime, zone: ZoneInfo) -> CardMessage:
    titles = {"open": "Open enquiries", "mine": "Enquiries assigned to you", "unassigned": "Unassigned enquiries"}
    body: list[Element] = [heading(titles[which], size="Medium")]
    if not listing.items:
        body.append(text("None at the moment."))
    else:
        shown = (
            f"the oldest {len(listing.items)} of {listing.total}"
            if listing.total > len(listing.items)
            else plural(listing.total, "enquiry", "enquiries")
        )
        body.append(text(f"{shown[0].upper()}{shown[1:]}, longest waiting first.", subtle=True))
        body.extend(_coordinator_entry(item, now, zone) for item in listing.items)
    return card(
        body,
        [
            submit("Open", "enquiries", "open"),
            submit("Mine", "enquiries", "mine"),
            submit("Unassigned", "enquiries", "unassigned"),
        ],
    )


def build_my_enquiries_card(listing: EnquiryList, zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [heading("Your enquiries", size="Medium")]
    if not listing.items:
        body.append(
            text(
                "You haven't sent us any enquiries yet. Type **enquire** to ask the training team "
                "a question or to request a course for your organisation."
            )
        )
        return card(body, [submit("Ask the training team", "enquire")])
    for item in listing.items:
        body.append(
            container(
                [
                    text(f"**{item.reference}** · {kind_label(item.kind)}"),
                    text(
                        f"{STATUS_LABELS[item.status]} · sent {short_time(item.created_at, zone)}"
                        + (f" · courses {', '.join(item.course_codes)}" if item.course_codes else ""),
                        subtle=True,
                        spacing="None",
                    ),
                    {"type": "ActionSet", "actions": [submit(f"Show {item.reference}", "enquiry", item.reference)]},
                ],
                separator=True,
            )
        )
    if listing.total > len(listing.items):
        body.append(text(f"Showing the latest {len(listing.items)} of {listing.total}.", subtle=True))
    return card(body, [submit("Ask something else", "enquire")])
