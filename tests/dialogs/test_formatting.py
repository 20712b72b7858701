"""Times as people read them: in the provider's timezone, with the zone's own name for the season."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dialogs.cards.formatting import short_time

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
