"""Social Work England's registration year runs 1 December to 30 November, judged by the date in the UK."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from classroom.reflection.registration_year import registration_year_at, registration_year_label, registration_year_of


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 11, 30), 2025),
        (date(2026, 12, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2027, 11, 30), 2026),
        (date(2024, 2, 29), 2023),
    ],
)
def test_the_year_turns_on_1_december(day: date, year: int) -> None:
    assert registration_year_of(day) == year


def test_an_instant_is_judged_by_the_uk_date() -> None:
    # 23:30 UTC on 30 November is still 30 November in the UK (GMT): the old year.
    assert registration_year_at(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == 2025
    assert registration_year_at(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == 2026
    # An activity at 23:30 UTC on 31 May is 00:30 BST on 1 June: judged by the UK date (same year either way).
    assert registration_year_at(datetime(2027, 5, 31, 23, 30, tzinfo=UTC)) == 2026


def test_the_label_says_both_ends() -> None:
    assert registration_year_label(2026) == "1 December 2026 to 30 November 2027"
