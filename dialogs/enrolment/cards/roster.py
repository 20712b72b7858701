"""``roster CODE``: who is coming to a run, for its trainers and coordinators."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.views import Roster, RosterEntry
from dialogs.cards.base import CardMessage, Element, card, container, heading, literal, text
from dialogs.enrolment.cards.parts import local_moment, run_span


def _who(entry: RosterEntry) -> str:
    return f"{entry.name} ({entry.organisation})" if entry.organisation else entry.name


def _section(title: str, lines: list[Element]) -> Element:
    items: list[Element] = [text(f"**{title}**", spacing="Medium")]
    items.extend(lines or [text("Nobody", subtle=True)])
    return container(items)


def _run(roster: Roster, zone: ZoneInfo) -> Element:
    run = roster.run
    pending: list[Element] = []
    for entry in roster.pending_review:
        pending.append(literal(f"{_who(entry)}, cannot attend session {entry.clash_session_position}:"))
        pending.append(literal(f"“{entry.clash_reason or ''}”"))
    return container(
        [
            text(f"**{run.run_code}**: {run_span(run.sessions, zone)}"),
            text(f"{roster.places_taken} of {run.capacity} places taken", subtle=True, spacing="None"),
            _section(f"Confirmed ({len(roster.confirmed)})", [literal(_who(e)) for e in roster.confirmed]),
            _section(f"Waiting for a clash decision ({len(roster.pending_review)})", pending),
            _section(
                f"Offered a place ({len(roster.offered)})",
                [
                    literal(f"{_who(e)}, until {local_moment(e.offer_expires_at, zone)}")
                    for e in roster.offered
                    if e.offer_expires_at
                ],
            ),
            _section(
                f"Waitlist ({len(roster.waitlisted)})",
                [literal(f"{e.waitlist_position}. {_who(e)}") for e in roster.waitlisted],
            ),
        ],
        separator=True,
    )


def build_roster_card(rosters: list[Roster], zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [heading(f"Roster: {rosters[0].run.course_title}", size="Medium")]
    body.extend(_run(roster, zone) for roster in rosters)
    return card(body)
