"""Wall-clock times to UTC: the hour the clocks skip and the hour they repeat are refused with their window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from classroom.local_times import AmbiguousLocalTime, NonexistentLocalTime, local_to_utc

LONDON = ZoneInfo("Europe/London")


def test_ordinary_times_are_read_with_the_offset_in_force_that_day() -> None:
    assert local_to_utc(date(2027, 1, 18), time(10), LONDON) == datetime(2027, 1, 18, 10, tzinfo=UTC)  # GMT
    assert local_to_utc(date(2027, 7, 19), time(10), LONDON) == datetime(2027, 7, 19, 9, tzinfo=UTC)  # BST
    assert local_to_utc(date(2027, 3, 28), time(2), LONDON) == datetime(2027, 3, 28, 1, tzinfo=UTC)  # just after
    assert local_to_utc(date(2027, 10, 31), time(2), LONDON) == datetime(2027, 10, 31, 2, tzinfo=UTC)


@pytest.mark.parametrize("at", [time(1, 0), time(1, 30), time(1, 59)])
def test_the_hour_the_clocks_go_forward_does_not_exist(at: time) -> None:
    with pytest.raises(NonexistentLocalTime) as skipped:
        local_to_utc(date(2027, 3, 28), at, LONDON)
    error = skipped.value
    assert (error.window_start, error.window_end) == (datetime(2027, 3, 28, 1), datetime(2027, 3, 28, 2))
    assert (error.before, error.after, error.change) == ("GMT", "BST", timedelta(hours=1))


@pytest.mark.parametrize("at", [time(1, 0), time(1, 30), time(1, 59)])
def test_the_hour_the_clocks_go_back_happens_twice(at: time) -> None:
    with pytest.raises(AmbiguousLocalTime) as repeated:
        local_to_utc(date(2027, 10, 31), at, LONDON)
    error = repeated.value
    assert (error.window_start, error.window_end) == (datetime(2027, 10, 31, 1), datetime(2027, 10, 31, 2))
    assert (error.before, error.after) == ("BST", "GMT")


def test_a_half_hour_change_elsewhere_has_a_half_hour_window() -> None:
    # Lord Howe Island moves its clocks by 30 minutes: 02:00 becomes 02:30 on 3 October 2027.
    with pytest.raises(NonexistentLocalTime) as skipped:
        local_to_utc(date(2027, 10, 3), time(2, 15), ZoneInfo("Australia/Lord_Howe"))
    assert skipped.value.change == timedelta(minutes=30)
    assert (skipped.value.window_start.time(), skipped.value.window_end.time()) == (time(2), time(2, 30))
