"""The identifying-details reminder: realistic sentences a social worker might write, and tricky ones that must
not raise a false alarm (how the law and cases are cited)."""

from __future__ import annotations

import pytest

from classroom.reflection import identifying as i
from classroom.reflection.identifying import find_identifying_details


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("I visited Mrs Okafor after the strategy meeting", i.TITLE_AND_NAME),
        ("Mr. O'Neill disagreed with the plan", i.TITLE_AND_NAME),
        ("The baby's DOB: 03/04/2023 was wrong on the referral", i.DATE_OF_BIRTH),
        ("she was born on 12th March 2015 so she is ten", i.DATE_OF_BIRTH),
        ("The family live at 14 Elm Grove near the school", i.ADDRESS),
        ("Moved to 3a Queen's Park Road last month", i.ADDRESS),
        ("the new flat in BN2 9QA is damp", i.POSTCODE),
        ("postcode sw1a 1aa on the form", i.POSTCODE),
        ("NHS number 943 476 5919 was on the letter", i.NHS_NUMBER),
        ("his NI number is JT 48 62 19 B", i.NI_NUMBER),
        ("Mum's mobile 07700 900123 kept going to voicemail", i.PHONE),
        ("call the school on +44 20 7946 0958", i.PHONE),
        ("emailed jo.bloggs@council.gov.uk about it", i.EMAIL),
        ("Tyler, aged 7, said he felt safe", i.NAME_AND_AGE),
    ],
)
def test_points_out_what_could_identify_someone(sentence: str, kind: str) -> None:
    assert kind in [finding.kind for finding in find_identifying_details(sentence)]


@pytest.mark.parametrize(
    "sentence",
    [
        "We looked at the Children Act 1989 and section 20 accommodation",
        "Re B-S (Children) [2013] EWCA Civ 1146 changed how we present options",
        "The threshold in s.31(2) and the Public Law Outline 2014",
        "A s.47 enquiry within 15 working days, Working Together 2023",
        "The session ran from 10:00 to 15:00 on 14/12/2026 with 12 participants",
        "Chapter 4 of the Adoption and Children Act 2002; paragraph 3.2",
        "I felt more confident about the care plan and the 26-week timescale",
        "Social Work England standard 4.8 and my CPD for 2026",
    ],
)
def test_no_false_alarm_on_how_law_and_practice_are_written(sentence: str) -> None:
    assert find_identifying_details(sentence) == []


def test_an_nhs_number_must_pass_its_check_digit() -> None:
    assert i.NHS_NUMBER not in [f.kind for f in find_identifying_details("reference 943 476 5918 on the file")]


def test_each_kind_is_said_once_with_its_words() -> None:
    found = find_identifying_details("Mrs Smith and Mr Jones met at 14 Elm Grove, BN2 9QA")
    assert [f.kind for f in found] == [i.TITLE_AND_NAME, i.ADDRESS, i.POSTCODE]
    assert found[0].excerpt == "Mrs Smith"
