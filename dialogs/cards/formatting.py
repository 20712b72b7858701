"""How dates, times and money read to people: always in the configured timezone (Europe/London)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo


def local_date(moment: datetime, zone: ZoneInfo) -> str:
    """'Monday 14 June 2027'."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y}"


def local_time_range(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """'Monday 14 June 2027, 10:00–15:00 BST' (the zone name tells GMT from BST)."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return f"{local_date(start, zone)}, {local_start:%H:%M}–{local_end:%H:%M} {local_start:%Z}"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_time(moment: datetime, zone: ZoneInfo) -> str:
    """'Mon 23 Nov 2026, 09:05 GMT'. Cards show several; ``strftime`` would take five times as long."""
    local = moment.astimezone(zone)
    day, month = _DAYS[local.weekday()], _MONTHS[local.month - 1]
    return f"{day} {local.day} {month} {local.year}, {local.hour:02d}:{local.minute:02d} {local.tzname()}"


def pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def duration_text(delta: timedelta, *, largest: Literal["day", "hour"] = "day") -> str:
    """How long, as people say it: ``7 days``, ``1 day 12 hours``, ``1 hour 30 minutes``, ``30 minutes``.

    ``largest="hour"`` counts days as hours (``48 hours``, ``36 hours``), for times people think of in hours.
    Fractions of a second are dropped; anything shorter than a second reads ``less than a second``.
    """
    seconds = int(delta.total_seconds())
    parts = []
    for name, size in _UNITS[1:] if largest == "hour" else _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(plural(count, name))
    return " ".join(parts) or "less than a second"


_MARKDOWN = str.maketrans("", "", "*_`[]()<>#~|\\")


def without_markdown(value: str) -> str:
    """Someone's name or words, safe to put inside a message of ours that Teams renders as markdown."""
    return value.translate(_MARKDOWN)


_CODE_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")


def shown_code(typed: str, otherwise: str = "that code") -> str:
    """A course or run code someone typed, to repeat back (upper case) in our words, or ``otherwise`` when it is not
    shaped like a code: text typed in a group chat (``course [x](https://ev.il)``) never comes back as a link or
    formatting that everyone there sees."""
    typed = typed.strip()
    return typed.upper() if _CODE_SHAPE.fullmatch(typed) else otherwise
