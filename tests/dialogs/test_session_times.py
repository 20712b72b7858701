"""Session times on enrolment cards are remembered as text (bounded): the same text as formatting them afresh,
for the same instants whatever timezone they were given in, across the change of clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dialogs.cards.formatting import local_time_range
from dialogs.enrolment.cards.parts import SESSION_TIMES, session_time

LONDON = ZoneInfo("Europe/London")


def test_a_remembered_session_time_reads_as_formatting_it_afresh() -> None:
    session_time.cache_clear()
    for start in (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)):
        end = start + timedelta(hours=2)  # across the change of clocks
        assert session_time(start, end, LONDON) == local_time_range(start, end, LONDON)
        same_instants = (start.astimezone(timezone(timedelta(hours=5))), end.astimezone(timezone(timedelta(hours=5))))
        assert session_time(*same_instants, LONDON) == local_time_range(start, end, LONDON)
    info = session_time.cache_info()
    assert info.hits == 2 and info.misses == 2 and info.maxsize == SESSION_TIMES
