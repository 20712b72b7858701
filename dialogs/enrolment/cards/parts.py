"""Pieces the enrolment cards share: sessions in local time, prices, when a run takes place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from classroom.enrolment.policy import describe_duration
from dialogs.cards.base import Element, facts
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
