"""The configurable rules of enrolment: how long offers are held, when reminders go, how long links live."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from classroom.errors import InvalidInput
from classroom.evaluation.policy import EvaluationTiming
from classroom.reflection.policy import ReflectionTiming

DEFAULT_REMINDER_OFFSETS = (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
_PART = re.compile(r"(\d+)\s*([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


@dataclass(frozen=True)
class EnrolmentPolicy:
    """Attributes:
    zone: the timezone people live in; whole-day reminder offsets keep its wall-clock time.
    offer_hold: how long a place freed for the waitlist is held for the person it is offered to.
    reminder_offsets: how long before each session a participant is reminded (latest reminder last).
    trainer_reminder_offset: how long before each session the trainers get theirs, with the roster count.
    calendar_link_ttl: how long an "Add to calendar" link works.
    reflection: when each session's reflection prompt goes, planned with its reminders.
    evaluation: when the evaluation's "before" and "after" surveys go, planned with them too.
    """

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    offer_hold: timedelta = timedelta(hours=48)
    reminder_offsets: tuple[timedelta, ...] = DEFAULT_REMINDER_OFFSETS
    trainer_reminder_offset: timedelta = timedelta(hours=1)
    calendar_link_ttl: timedelta = timedelta(days=30)
    reflection: ReflectionTiming = field(default_factory=ReflectionTiming)
    evaluation: EvaluationTiming = field(default_factory=EvaluationTiming)

    def __post_init__(self) -> None:
        if self.offer_hold <= timedelta(0):
            raise InvalidInput("the offer hold must be positive")
        if any(offset <= timedelta(0) for offset in self.reminder_offsets):
            raise InvalidInput("reminder offsets must be positive")
        if self.trainer_reminder_offset <= timedelta(0) or self.calendar_link_ttl <= timedelta(0):
            raise InvalidInput("the trainer reminder offset and the calendar link lifetime must be positive")
        # Largest first, duplicates dropped: "7d,1h,1d,1h" means 7 days, 1 day and 1 hour before.
        object.__setattr__(self, "reminder_offsets", tuple(sorted(set(self.reminder_offsets), reverse=True)))


def parse_duration(text: str) -> timedelta:
    """``"7d"``, ``"1h"``, ``"90m"``, ``"1d12h"``, ``"30s"`` -> a timedelta."""
    compact = text.strip().lower()
    parts = _PART.findall(compact)
    if not compact or not parts or _PART.sub("", compact).strip():
        raise InvalidInput(f"{text!r} is not a duration such as 7d, 1h, 90m or 1d12h")
    total = timedelta()
    for amount, unit in parts:
        total += timedelta(**{_UNITS[unit]: int(amount)})
    return total


def parse_durations(text: str) -> tuple[timedelta, ...]:
    """A comma-separated list of durations (``"7d,1d,1h"``); empty text means none."""
    return tuple(parse_duration(part) for part in text.split(",") if part.strip())


def reminder_due(starts_at: datetime, offset: timedelta, zone: ZoneInfo) -> datetime:
    """When a reminder ``offset`` before ``starts_at`` is due, in UTC.

    Whole days are counted on the local calendar, so "1 day before" a 10:00 session is 10:00 the day before
    even across a daylight-saving change; the rest of the offset (hours, minutes) is elapsed time.
    """
    local = starts_at.astimezone(zone).replace(tzinfo=None) - timedelta(days=offset.days)
    return local.replace(tzinfo=zone).astimezone(UTC) - timedelta(seconds=offset.seconds)
