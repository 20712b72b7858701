"""A wall-clock time people typed, as the UTC instant it names, refusing the ones daylight saving makes unclear.

When the clocks go forward an hour of local times never happens (28 March 2027, 01:00-02:00 in London); when
they go back an hour happens twice (31 October 2027, 01:00-02:00). ``zoneinfo`` quietly picks an offset for
both, which can turn "01:30-02:30" into a session that ends when it starts. Here each is a typed error that says
which window it falls in, so people can be told why and what to choose instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from classroom.errors import InvalidInput

_MINUTE = timedelta(minutes=1)
_LONGEST_CHANGE = timedelta(hours=24)  # no zone has moved its clocks further than this at once


class UnclearLocalTime(InvalidInput):
    """A local time daylight saving makes nonexistent or ambiguous.

    Attributes:
        moment: the wall-clock time asked for (naive).
        window_start, window_end: the local window it falls in (naive), e.g. 01:00 and 02:00.
        before, after: the zone's abbreviations either side of the change (``GMT``, ``BST``).
        change: how far the clocks move.
    """

    def __init__(
        self, moment: datetime, zone: ZoneInfo, window_start: datetime, before: str, after: str, change: timedelta
    ) -> None:
        super().__init__(f"{moment:%Y-%m-%d %H:%M} is not a single moment in {zone.key}")
        self.moment, self.zone = moment, zone
        self.window_start, self.window_end = window_start, window_start + change
        self.before, self.after, self.change = before, after, change


class NonexistentLocalTime(UnclearLocalTime):
    """The clocks go forward over this time: it never happens."""


class AmbiguousLocalTime(UnclearLocalTime):
    """The clocks go back over this time: it happens twice."""


def _nonexistent(naive: datetime, zone: ZoneInfo) -> bool:
    # A time that exists comes back unchanged from UTC; one in the gap comes back an hour on.
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive


def _ambiguous(naive: datetime, zone: ZoneInfo) -> bool:
    return naive.replace(tzinfo=zone).utcoffset() != naive.replace(tzinfo=zone, fold=1).utcoffset()


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``at`` on ``day`` in ``zone``.

    Raises:
        NonexistentLocalTime: the clocks go forward over it. AmbiguousLocalTime: the clocks go back over it.
    """
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    for unclear, error in ((_nonexistent, NonexistentLocalTime), (_ambiguous, AmbiguousLocalTime)):
        if unclear(naive, zone):
            raise _explained(error, naive, zone, unclear)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _explained(
    error: type[UnclearLocalTime], naive: datetime, zone: ZoneInfo, unclear: Callable[[datetime, ZoneInfo], bool]
) -> UnclearLocalTime:
    """``error`` for ``naive``, with the window of local times around it that are just as unclear."""
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    change = abs((second.utcoffset() or timedelta()) - (first.utcoffset() or timedelta()))
    start = naive.replace(second=0, microsecond=0)
    while naive - start < _LONGEST_CHANGE and unclear(start - _MINUTE, zone):
        start -= _MINUTE
    # fold=0 reads a time by the offset in force before the change, fold=1 by the one after it.
    return error(naive, zone, start, first.tzname() or "", second.tzname() or "", change)
