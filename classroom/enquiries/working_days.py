"""Working-day arithmetic in the people's timezone: Monday to Friday count, weekends are skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKEND = frozenset({5, 6})  # Saturday, Sunday


def is_working_day(day: date) -> bool:
    return day.weekday() not in WEEKEND


def add_working_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``start`` moved on by ``days`` working days, same local clock time, returned in UTC.

    Something received at the weekend starts counting on Monday at 00:00: Friday 16:00 + 2 is Tuesday 16:00,
    Saturday 10:00 + 2 is Wednesday 00:00. The wall-clock time survives a daylight-saving change.
    """
    day, clock = _rolled(start, zone)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _rolled(moment: datetime, zone: ZoneInfo) -> tuple[date, time]:
    """Local date and clock time a count starts from (the weekend rolls on to Monday 00:00)."""
    local = moment.astimezone(zone)
    day, clock = local.date(), local.timetz().replace(tzinfo=None)
    if is_working_day(day):
        return day, clock
    while not is_working_day(day):
        day += timedelta(days=1)
    return day, time(0, 0)


def working_days_between(start: datetime, end: datetime, zone: ZoneInfo) -> int:
    """Whole working days from ``start`` to ``end``: the largest n with add_working_days(start, n) <= end."""
    if end <= start:
        return 0
    start_day, start_clock = _rolled(start, zone)
    local_end = end.astimezone(zone)
    end_day, end_clock = local_end.date(), local_end.timetz().replace(tzinfo=None)
    count = 0
    day = start_day + timedelta(days=1)
    while day < end_day:
        count += is_working_day(day)
        day += timedelta(days=1)
    if end_day > start_day and is_working_day(end_day) and start_clock <= end_clock:
        count += 1
    return count


def previous_working_day(moment: datetime, zone: ZoneInfo) -> datetime:
    """The same local clock time on the working day before ``moment`` (Monday -> Friday)."""
    local = moment.astimezone(zone)
    day = local.date() - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(UTC)
