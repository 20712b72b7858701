"""Each enquiry field: what it accepts, how it is normalised, and the reason it gives when it refuses."""

from __future__ import annotations

import pytest

from classroom.enquiries.fields import (
    check_course_codes,
    parse_email,
    parse_kind,
    parse_participants,
    parse_platform,
    split_course_codes,
)
from classroom.errors import InvalidInput
from storage.models import EnquiryKind


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("1", EnquiryKind.QUESTION),
        ("Question", EnquiryKind.QUESTION),
        ("2.", EnquiryKind.DELIVERY),
        ("delivery", EnquiryKind.DELIVERY),
    ],
)
def test_kind(typed: str, kind: EnquiryKind) -> None:
    assert parse_kind(typed) is kind


def test_email() -> None:
    assert parse_email(" mailto:Alex.Wilber@example.org ") == "Alex.Wilber@example.org"
    for bad in ("alex", "alex@", "@example.org", "a b@example.org", "alex@example", "<a@example.org>"):
        with pytest.raises(InvalidInput, match="name@example.org"):
            parse_email(bad)


def test_participants_and_platform() -> None:
    assert parse_participants(" 12 ") == 12 and parse_participants("1,0") == 10
    with pytest.raises(InvalidInput, match="whole number"):
        parse_participants("-3")
    assert parse_platform("teams") == "Microsoft Teams" and parse_platform("3") == "Other or no preference"


def test_course_codes() -> None:
    assert split_course_codes("perm4, PERMPLAN and perm4") == ["PERM4", "PERMPLAN"]
    known = {"PERM4", "PERMPLAN"}
    assert check_course_codes([], known, EnquiryKind.QUESTION) == []
    with pytest.raises(InvalidInput, match="at least one course code"):
        check_course_codes([], known, EnquiryKind.DELIVERY)
    with pytest.raises(InvalidInput, match="I don't know the course code NOPE$"):
        check_course_codes(["PERM4", "NOPE"], known, EnquiryKind.QUESTION)
