"""Pieces the enrolment cards share: sessions in local time, prices, when a run takes place, the buttons that
answer a place offered from the waitlist."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from classroom.enrolment.policy import describe_duration
from dialogs.cards.base import Element, execute, facts, submit
from dialogs.cards.formatting import local_date, local_time_range, pounds


class _Session(Protocol):
    @property
    def position(self) -> int: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


def session_label(position: int, count: int) -> str:
    return f"Session {position} of {count}" if count > 1 else "Date"


def session_facts(sessions: Sequence[_Session], zone: ZoneInfo, *, missed_position: int | None = None) -> Element:
    """'Session 2 of 4: Monday 14 June 2027, 10:00–15:00 BST' for every session."""
    count = len(sessions)
    rows = []
    for s in sessions:
        when = local_time_range(s.starts_at, s.ends_at, zone)
        if s.position == missed_position:
            when += " (you will miss this one)"
        rows.append((session_label(s.position, count), when))
    return facts(rows)


def local_moment(moment: datetime, zone: ZoneInfo) -> str:
    """'Wednesday 25 November 2026 at 09:00 GMT'."""
    local = moment.astimezone(zone)
    return f"{local_date(moment, zone)} at {local:%H:%M %Z}"


def run_span(sessions: Sequence[_Session], zone: ZoneInfo) -> str:
    """'4 sessions from Monday 14 June 2027 to Monday 11 October 2027', or the one date."""
    if len(sessions) == 1:
        return local_time_range(sessions[0].starts_at, sessions[0].ends_at, zone)
    first, last = local_date(sessions[0].starts_at, zone), local_date(sessions[-1].starts_at, zone)
    return f"{len(sessions)} sessions from {first} to {last}"


def price_text(price_pence: int | None, band: int | None, organisation: str | None) -> str:
    band_text = f"Tier {band}" if band else "your band"
    whose = f", the band of {organisation}" if organisation else ""
    if price_pence is None:
        return f"to be confirmed by the training team ({band_text}{whose})"
    return f"{pounds(price_pence)} per place ({band_text}{whose})"


def offsets_text(offsets: Sequence[timedelta]) -> str:
    """'7 days, 1 day and 1 hour'."""
    words = [describe_duration(o) for o in offsets]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


OFFER_ACCEPT, OFFER_DECLINE = "enrolment.offer.accept", "enrolment.offer.decline"


def offer_buttons(run_code: str, session_count: int, *, answered_in_place: bool = False) -> list[Element]:
    """Take or turn down a place offered from the waitlist; for a course of several sessions taking it means
    every date, and "I have a clash" goes through the clash questions instead.

    ``answered_in_place``: the offer card itself, whose Accept and No thanks are ``Action.Execute`` buttons
    (answered with the card in its new state), falling back to the same commands as everywhere else.
    """
    multi = session_count > 1
    accept = submit("Accept: I can attend every date" if multi else "Accept the place", "offer", f"accept {run_code}")
    accept["style"] = "positive"
    decline = submit("No thanks", "offer", f"decline {run_code}")
    if answered_in_place:
        data = {"run": run_code}
        accept = execute(accept["title"], OFFER_ACCEPT, data, style="positive", fallback=accept)
        decline = execute(decline["title"], OFFER_DECLINE, data, fallback=decline)
    clash = [submit("I have a clash", "offer", f"clash {run_code}")] if multi else []
    return [accept, *clash, decline]
