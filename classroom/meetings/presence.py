"""How long someone was present, from their join and leave events: pure arithmetic, no database.

Events are replayed in time order with a depth count, so someone in the meeting on two devices at once (two joins,
then two leaves) is present from the first join to the last leave, and rejoins add up without counting an overlap
twice. A leave with nobody in counts for nothing; someone still in at the end is closed at the span's end (the
meeting's end). Everything is in UTC, so a daylight-saving change in the middle of a session changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.models import AttendanceStatus, ParticipantEvent


@dataclass(frozen=True)
class Span:
    """The window presence is measured against: the scheduled session clipped to the meeting as it happened (see
    ``register.session_span``)."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return max(self.end - self.start, timedelta(0))


def intervals(events: Iterable[tuple[ParticipantEvent, datetime]], span: Span) -> list[tuple[datetime, datetime]]:
    """The merged intervals of presence, clipped to the span."""
    ordered = sorted(events, key=lambda e: (e[1], 0 if e[0] is ParticipantEvent.JOIN else 1))
    merged: list[tuple[datetime, datetime]] = []
    depth = 0
    opened: datetime | None = None
    for kind, at in ordered:
        if kind is ParticipantEvent.JOIN:
            depth += 1
            if depth == 1:
                opened = at
        elif depth > 0:
            depth -= 1
            if depth == 0 and opened is not None:
                merged.append((opened, at))
                opened = None
    if opened is not None:
        merged.append((opened, max(opened, span.end)))  # never left: closed at the meeting's end
    clipped = [(max(a, span.start), min(b, span.end)) for a, b in merged]
    return [(a, b) for a, b in clipped if b > a]


def present_for(events: Iterable[tuple[ParticipantEvent, datetime]], span: Span) -> timedelta:
    return sum((b - a for a, b in intervals(events, span)), timedelta(0))


def status_for(present: timedelta, span: Span, share_percent: int, *, seen: bool) -> AttendanceStatus:
    """Attended at ``share_percent`` of the span or more (exact integer arithmetic on microseconds), partly when
    seen for less, absent when never seen."""
    if not seen:
        return AttendanceStatus.ABSENT
    needed = span.length * share_percent
    return AttendanceStatus.ATTENDED if present * 100 >= needed else AttendanceStatus.PARTLY
