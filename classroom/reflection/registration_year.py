"""Social Work England's registration year: 1 December to 30 November, in UK time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def registration_year_of(day: date) -> int:
    """The calendar year in which the registration year holding ``day`` starts (1 Dec 2025 - 30 Nov 2026 -> 2025)."""
    return day.year if day.month == 12 else day.year - 1


def registration_year_at(moment: datetime) -> int:
    """The registration year at an instant, judged by the date in the UK (not the server's, not UTC's)."""
    return registration_year_of(moment.astimezone(UK).date())


def registration_year_label(start_year: int) -> str:
    """``2025`` -> ``"1 December 2025 to 30 November 2026"``."""
    return f"1 December {start_year} to 30 November {start_year + 1}"


def registration_year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 12, 1), date(start_year + 1, 11, 30)
