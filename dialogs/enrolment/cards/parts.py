"""Pieces the enrolment cards share: sessions in local time, prices, when a run takes place."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from classroom.enrolment.views import RunChoice
from dialogs.cards.base import Element, container, facts, open_url, text
from dialogs.cards.formatting import duration_text, local_date, local_time_range, plural, pounds


class _Session(Protocol):
    @property
    def position(self) -> int: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


def session_label(position: int, count: int) -> str:
    return f"Session {position} of {count}" if count > 1 else "Date"


def session_facts(
    sessions: Sequence[_Session], zone: ZoneInfo, *, missed: Collection[int] = (), count: int | None = None
) -> Element:
    """'Session 2 of 4: Monday 14 June 2027, 10:00–15:00 BST' for every session; ``missed``: positions they
    will not attend; ``count``: sessions in the run, when ``sessions`` are only some of them."""
    count = count or len(sessions)
    rows = []
    for s in sessions:
        when = local_time_range(s.starts_at, s.ends_at, zone)
        if s.position in missed:
            when += " (you will miss this one)"
        rows.append((session_label(s.position, count), when))
    return facts(rows)


def sessions_words(positions: Collection[int]) -> str:
    """'session 3', 'sessions 1 and 4', 'sessions 1, 2 and 4'."""
    numbers = [str(p) for p in sorted(positions)]
    if len(numbers) == 1:
        return f"session {numbers[0]}"
    return "sessions " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


JOIN_LINK_TO_FOLLOW = "the join link will follow before the first session"
JOIN_WITH_BUTTON = "in Microsoft Teams, with the “Join the session” button below"


def join_button(join_url: str, run_code: str | None = None) -> Element:
    """The button that opens the Teams meeting (never the raw link in the text); ``run_code`` tells it apart
    on a card with several runs, for people using a screen reader."""
    return open_url(f"Join the {run_code} session" if run_code else "Join the session", join_url)


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


def other_dates(choices: Sequence[RunChoice], zone: ZoneInfo) -> Element:
    """Other runs of the course that still have places, for someone who found one full."""
    lines = [
        f"- **{c.run.run_code}**: {run_span(c.run.sessions, zone)} · {plural(c.places_left, 'place')} left"
        for c in choices
    ]
    return container([text("**Other dates with places:**"), text("\n".join(lines), spacing="None")])


def price_text(price_pence: int | None, band: int | None, organisation: str | None) -> str:
    band_text = f"Tier {band}" if band else "your band"
    whose = f", the band of {organisation}" if organisation else ""
    if price_pence is None:
        return f"to be confirmed by the training team ({band_text}{whose})"
    return f"{pounds(price_pence)} per place ({band_text}{whose})"


def offsets_text(offsets: Sequence[timedelta]) -> str:
    """'7 days, 1 day and 1 hour'."""
    words = [duration_text(o) for o in offsets]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def reply_hint(replies: Sequence[str]) -> Element:
    """'Reply 1 (I can attend every date), 2 (I have a clash) or 3 (No thanks).'"""
    numbered = [f"**{n}** ({reply})" for n, reply in enumerate(replies, start=1)]
    listed = numbered[0] if len(numbered) == 1 else ", ".join(numbered[:-1]) + " or " + numbered[-1]
    return text(f"Reply {listed}.", spacing="Medium")
