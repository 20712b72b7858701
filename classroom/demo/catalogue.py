"""The demo catalogue, moved forward so that it always has runs to enrol on.

``catalogue.yaml`` keeps the dates of the source course pages (PERM4 ran from Monday 14 June 2021 to
Monday 11 October 2021), so it stays checkable against them. A demo with only past runs shows nothing,
so ``demo_catalogue`` moves every session forward by the same whole number of weeks: the runs keep their
spacing, every session keeps its weekday (PERM4 stays on Mondays) and its local wall-clock time (10:00 stays
10:00 in Europe/London whether the new date is in summer or winter time).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from classroom.catalogue.file_format import CatalogueDocument, SessionSpec, load_catalogue

# How far ahead the first demo session is at least: enough to enrol, be reminded and cancel.
LEAD_TIME = timedelta(days=14)


def demo_catalogue(today: date) -> CatalogueDocument:
    """The demo catalogue with its earliest session at least ``LEAD_TIME`` after ``today``.

    Deterministic: the same ``today`` always gives the same dates. When the file's dates are already far
    enough ahead they are kept as they are.
    """
    with resources.as_file(resources.files(__package__).joinpath("catalogue.yaml")) as path:
        document = load_catalogue(path)
    zone = ZoneInfo(document.timezone)
    local_dates = [s.starts_at.astimezone(zone).date() for _, run in document.runs() for s in run.sessions]
    if not local_dates:
        return document
    days_short = (today + LEAD_TIME - min(local_dates)).days
    weeks = max(0, -(-days_short // 7))  # ceiling division: the fewest whole weeks that are enough
    return _shift(document, weeks, zone) if weeks else document


def _shift(document: CatalogueDocument, weeks: int, zone: ZoneInfo) -> CatalogueDocument:
    def moved(moment: datetime) -> datetime:
        # Move the local wall-clock time, not the UTC instant, so DST changes in between do not shift the hour.
        local = moment.astimezone(zone).replace(tzinfo=None) + timedelta(weeks=weeks)
        return local.replace(tzinfo=zone).astimezone(UTC)

    courses = tuple(
        replace(
            course,
            runs=tuple(
                replace(
                    run,
                    sessions=tuple(SessionSpec(moved(s.starts_at), moved(s.ends_at)) for s in run.sessions),
                )
                for run in course.runs
            ),
        )
        for course in document.courses
    )
    return replace(document, courses=courses)
