"""Reading ``reschedule RUN SESSION DATE START-END`` the way UK coordinators write it.

Dates as people here write them (``19/04/2027``, ``19 April 2027``, ``Monday 19th April 2027``) or ISO
(``2027-04-19``); times on the 24-hour clock (``10:00``, ``10.00``) or with am/pm. Each form is an explicit
``strptime`` format, so nothing is guessed: ``04/05/2027`` is 4 May, and the confirmation card shows the day in
words before anyone is told. A local time the clocks skip or repeat is explained, never silently shifted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from classroom.local_times import AmbiguousLocalTime, NonexistentLocalTime, UnclearLocalTime, local_to_utc
from dialogs.cards.formatting import duration_text, without_markdown

EXAMPLE = "reschedule PERM4-A 3 20/09/2027 10:00-15:00"
MAX_LENGTH = 200  # far more than any real command; longer input is refused before it is read

_CLOCK = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?"
_COMMAND = re.compile(
    rf"^(?P<run>\S+)\s+(?:session\s+)?(?P<position>\d{{1,2}})\s+(?P<date>.+?),?\s+(?:from\s+)?"
    rf"(?P<start>{_CLOCK})\s*(?:-|–|—|\bto\b)\s*(?P<end>{_CLOCK})$",
    re.IGNORECASE,
)
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d")
_TIME_FORMATS = ("%H:%M", "%H.%M", "%I%p", "%I:%M%p", "%I.%M%p")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class RescheduleInputError(ValueError):
    """What was typed cannot be read; ``str(error)`` tells the coordinator why and how to write it."""


@dataclass(frozen=True)
class RescheduleRequest:
    run_code: str
    position: int
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


def usage(zone: ZoneInfo) -> str:
    return (
        f"Type it like this: **{EXAMPLE}** ({zone_words(zone)}). The date can also be 20 September 2027 or 2027-09-20."
    )


def zone_words(zone: ZoneInfo) -> str:
    return "UK time" if zone.key == "Europe/London" else f"{zone.key} time"


def parse_reschedule(args: str, zone: ZoneInfo) -> RescheduleRequest:
    """The run, session and new UTC times named by ``args``. Raises RescheduleInputError."""
    found = _COMMAND.match(" ".join(args.split())) if len(args) <= MAX_LENGTH else None
    if found is None:
        raise RescheduleInputError(usage(zone))
    day = parse_day(found["date"])
    start, end = parse_clock(found["start"]), parse_clock(found["end"])
    return RescheduleRequest(
        run_code=found["run"].upper()[:48],
        position=int(found["position"]),
        starts_at=_utc(day, start, zone),
        ends_at=_utc(day, end, zone),
    )


def parse_day(written: str) -> date:
    """``19/04/2027``, ``19/04/27``, ``19 April 2027``, ``19th Apr 2027``, ``Monday 19 April 2027``, ``2027-04-19``."""
    words = _ORDINAL.sub(r"\1", written.strip().replace(",", " "))
    words = " ".join(words.split())
    weekday = None
    first, _, rest = words.partition(" ")
    named = [d for d in _WEEKDAYS if len(first) >= 3 and d.startswith(first.lower())]
    if named and rest:
        weekday, words = named[0], rest
    words = re.sub(r"\bsept\b", "sep", words, flags=re.IGNORECASE)  # "Sept" is how many write September
    for form in _DATE_FORMATS:
        try:
            day = datetime.strptime(words, form).date()
        except ValueError:
            continue
        if weekday is not None and _WEEKDAYS[day.weekday()] != weekday:
            raise RescheduleInputError(
                f"{day.day} {day:%B %Y} is a {_WEEKDAYS[day.weekday()].title()}, not a {weekday.title()}. "
                "Check the date and try again."
            )
        return day
    shown = without_markdown(written.strip())[:40]
    raise RescheduleInputError(
        f'I can\'t read "{shown}" as a date. Write it like 20/09/2027, 20 September 2027 or 2027-09-20.'
    )


def parse_clock(written: str) -> time:
    """``10:00``, ``9.30``, ``10am``, ``2:30 pm`` -> a time of day."""
    compact = "".join(written.split())
    for form in _TIME_FORMATS:
        try:
            return datetime.strptime(compact, form).time()
        except ValueError:
            continue
    shown = without_markdown(written.strip())[:20]
    raise RescheduleInputError(
        f'I can\'t read "{shown}" as a time. Use the 24-hour clock, like 10:00 or 15:30 (10am and 3pm work too).'
    )


def _utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    try:
        return local_to_utc(day, at, zone)
    except UnclearLocalTime as unclear:
        raise RescheduleInputError(explain_unclear_time(unclear, zone)) from unclear


def explain_unclear_time(unclear: UnclearLocalTime, zone: ZoneInfo) -> str:
    """'01:30 on Sunday 28 March 2027 doesn't exist in UK time: at 01:00 the clocks go forward 1 hour to 02:00
    (GMT to BST). Choose a time outside 01:00–02:00.'"""
    moment, start, end = unclear.moment, unclear.window_start, unclear.window_end
    when = f"{moment:%H:%M} on {moment:%A} {moment.day} {moment:%B %Y}"
    window = f"{start:%H:%M}–{end:%H:%M}"
    amount, names = duration_text(unclear.change), f"{unclear.before} to {unclear.after}"
    if isinstance(unclear, NonexistentLocalTime):
        return (
            f"{when} doesn't exist in {zone_words(zone)}: at {start:%H:%M} the clocks go forward {amount} to "
            f"{end:%H:%M} ({names}). Choose a time outside {window}."
        )
    assert isinstance(unclear, AmbiguousLocalTime)
    return (
        f"{when} happens twice in {zone_words(zone)}: at {end:%H:%M} the clocks go back {amount} to "
        f"{start:%H:%M} ({names}), so I can't tell which you mean. Choose a time outside {window}."
    )
