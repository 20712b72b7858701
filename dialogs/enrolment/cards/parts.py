"""Pieces the enrolment cards share: sessions in local time, prices, when a run takes place, the buttons that
answer a place offered from the waitlist."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from classroom.enrolment.views import RunChoice
from dialogs.cards.base import Element, container, execute, facts, open_url, submit, text
from dialogs.cards.formatting import duration_text, local_date, local_time_range, plural, pounds


class _Session(Protocol):
    @property
    def position(self) -> int: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


class RunLinks(Protocol):
    @property
    def join_url(self) -> str | None: ...
    @property
    def outline_url(self) -> str | None: ...


def session_label(position: int, count: int) -> str:
    return f"Session {position} of {count}" if count > 1 else "Date"


SESSION_TIMES = 4096  # session times each process remembers as text


@lru_cache(maxsize=SESSION_TIMES)
def session_time(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """``local_time_range``, remembered: the same sessions are on many cards (every "my courses" of a run's
    people), and formatting one costs ~16 µs. A function of the two instants and the zone alone, so never stale."""
    return local_time_range(starts_at, ends_at, zone)


def session_facts(
    sessions: Sequence[_Session], zone: ZoneInfo, *, missed: Collection[int] = (), count: int | None = None
) -> Element:
    """'Session 2 of 4: Monday 14 June 2027, 10:00–15:00 BST' for every session; ``missed``: positions they
    will not attend; ``count``: sessions in the run, when ``sessions`` are only some of them."""
    count = count or len(sessions)
    rows = []
    for s in sessions:
        when = session_time(s.starts_at, s.ends_at, zone)
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


def participant_links(run: RunLinks, calendar_url: str | None = None) -> list[Element]:
    """A participant's buttons under a run: add to calendar, join, the outline, then back to my courses."""
    actions: list[Element] = []
    if calendar_url:
        actions.append(open_url("Add to calendar", calendar_url))
    if run.join_url:
        actions.append(join_button(run.join_url))
    if run.outline_url:
        actions.append(open_url("Course outline", run.outline_url))
    actions.append(submit("My courses", "my courses"))
    return actions


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


def price_text(price_pence: int | None, band: int | None, organisation: str | None, *, confirmed: bool = True) -> str:
    """``confirmed`` False: the organisation (so the band) is the person's own word, waiting for the training team."""
    band_text = f"Tier {band}" if band else "your band"
    whose = f", the band of {organisation}" if organisation else ""
    if price_pence is None:
        return f"to be confirmed by the training team ({band_text}{whose})"
    if not confirmed:
        return (
            f"to be confirmed: {pounds(price_pence)} per place if the training team confirms your organisation "
            f"({band_text}{whose})"
        )
    return f"{pounds(price_pence)} per place ({band_text}{whose})"


def offsets_text(offsets: Sequence[timedelta]) -> str:
    """'7 days, 1 day and 1 hour'."""
    words = [duration_text(o) for o in offsets]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


OFFER_ACCEPT, OFFER_DECLINE = "enrolment.offer.accept", "enrolment.offer.decline"


def offer_buttons(
    run_code: str, session_count: int, *, answered_in_place: bool = False, name_run: bool = False
) -> list[Element]:
    """Take or turn down a place offered from the waitlist; for a course of several sessions taking it means
    every date, and "I have a clash" goes through the clash questions instead.

    ``answered_in_place``: the offer card itself, whose Accept and No thanks are ``Action.Execute`` buttons
    (answered with the card in its new state), falling back to the same commands as everywhere else.
    ``name_run``: on a card with several runs, each title names its run, so titles stay apart (a screen
    reader's list of buttons reads titles alone).
    """
    multi = session_count > 1
    if name_run:
        titles = (
            f"Accept {run_code}: I can attend every date" if multi else f"Accept the place on {run_code}",
            f"I have a clash on {run_code}",
            f"Turn down {run_code}",
        )
    else:
        titles = ("Accept: I can attend every date" if multi else "Accept the place", "I have a clash", "No thanks")
    accept = submit(titles[0], "offer", f"accept {run_code}", style="positive")
    decline = submit(titles[2], "offer", f"decline {run_code}")
    if answered_in_place:
        data = {"run": run_code}
        accept = execute(titles[0], OFFER_ACCEPT, data, style="positive", fallback=accept)
        decline = execute(titles[2], OFFER_DECLINE, data, fallback=decline)
    clash = [submit(titles[1], "offer", f"clash {run_code}")] if multi else []
    return [accept, *clash, decline]
