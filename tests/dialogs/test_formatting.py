"""Times as people read them: in the provider's timezone, with the zone's own name for the season; and how long
things last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from dialogs.cards.formatting import duration_text, short_time

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 23, 9, 5, tzinfo=UTC), "Mon 23 Nov 2026, 09:05 GMT"),
        (datetime(2027, 6, 14, 8, 30, tzinfo=UTC), "Mon 14 Jun 2027, 09:30 BST"),  # summer time
        (datetime(2027, 3, 28, 0, 59, tzinfo=UTC), "Sun 28 Mar 2027, 00:59 GMT"),  # a minute before the change
        (datetime(2027, 3, 28, 1, 0, tzinfo=UTC), "Sun 28 Mar 2027, 02:00 BST"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "Thu 31 Dec 2026, 23:59 GMT"),
    ],
)
def test_short_time(moment: datetime, expected: str) -> None:
    assert short_time(moment, LONDON) == expected
    local = moment.astimezone(LONDON)
    assert short_time(moment, LONDON) == f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M %Z}"  # as strftime


@pytest.mark.parametrize(
    ("delta", "largest", "expected"),
    [
        (timedelta(days=7), "day", "7 days"),
        (timedelta(days=1), "day", "1 day"),
        (timedelta(hours=36), "day", "1 day 12 hours"),
        (timedelta(hours=36), "hour", "36 hours"),
        (timedelta(hours=48), "hour", "48 hours"),
        (timedelta(hours=1.5), "hour", "1 hour 30 minutes"),
        (timedelta(minutes=90), "day", "1 hour 30 minutes"),
        (timedelta(hours=0.5), "hour", "30 minutes"),  # not "0 hours"
        (timedelta(hours=0.01), "hour", "36 seconds"),
        (timedelta(milliseconds=400), "hour", "less than a second"),
    ],
)
def test_durations_read_as_people_say_them(delta: timedelta, largest: Literal["day", "hour"], expected: str) -> None:
    assert duration_text(delta, largest=largest) == expected
