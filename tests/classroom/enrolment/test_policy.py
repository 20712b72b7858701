"""Reading the enrolment settings: durations, offsets, and when a reminder is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classroom.enrolment.policy import (
    EnrolmentPolicy,
    parse_duration,
    parse_durations,
    reminder_due,
)
from classroom.errors import InvalidInput
from tests.support.enrolment import LONDON


def test_durations_read_as_people_write_them() -> None:
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration(" 90m ") == timedelta(minutes=90)
    assert parse_duration("1d12h") == timedelta(days=1, hours=12)
    assert parse_durations("7d,1d,1h") == (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
    assert parse_durations("") == ()
    for wrong in ("", "7", "1w", "d", "1h and a bit", "-1h"):
        with pytest.raises(InvalidInput):
            parse_duration(wrong)


def test_offsets_are_sorted_and_deduplicated_and_must_be_positive() -> None:
    policy = EnrolmentPolicy(reminder_offsets=(timedelta(hours=1), timedelta(days=7), timedelta(hours=1)))
    assert policy.reminder_offsets == (timedelta(days=7), timedelta(hours=1))
    with pytest.raises(InvalidInput):
        EnrolmentPolicy(reminder_offsets=(timedelta(0),))
    with pytest.raises(InvalidInput):
        EnrolmentPolicy(offer_hold=timedelta(0))


def test_whole_days_keep_the_local_time_and_hours_are_elapsed_time() -> None:
    # Monday 1 November 2027, 10:00 GMT; the clocks went back on Sunday 31 October.
    start = datetime(2027, 11, 1, 10, 0, tzinfo=UTC)
    assert reminder_due(start, timedelta(days=7), LONDON) == datetime(2027, 10, 25, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert reminder_due(start, timedelta(days=1), LONDON) == datetime(2027, 10, 31, 10, 0, tzinfo=UTC)
    assert reminder_due(start, timedelta(hours=1), LONDON) == datetime(2027, 11, 1, 9, 0, tzinfo=UTC)
    assert reminder_due(start, timedelta(days=1, hours=2), LONDON) == datetime(2027, 10, 31, 8, 0, tzinfo=UTC)
