"""Spotting text that could identify a child, family or colleague, so the author is reminded to anonymise.

Runs here, offline; the text goes nowhere. Careful patterns rather than a library: the maintained PII detectors
(Presidio, scrubadub) need language models downloaded at run time and are tuned to US identifiers, while what
matters here is British (postcodes, NHS and National Insurance numbers, UK phone numbers). Each pattern is
tight enough not to flag how social workers cite law and cases ("Children Act 1989", "Re B-S", "s.47"), and an
NHS number must pass its check digit. The person may always save as it is: this is a reminder, not a gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TITLE_AND_NAME = "a name after a title"
DATE_OF_BIRTH = "a date of birth"
ADDRESS = "an address"
POSTCODE = "a postcode"
NHS_NUMBER = "an NHS number"
NI_NUMBER = "a National Insurance number"
PHONE = "a phone number"
EMAIL = "an email address"
NAME_AND_AGE = "a name with an age"

_TITLE_AND_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?\s+[A-Z][a-zA-Z'’-]+")
_DATE = r"(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Z][a-z]{2,8}\.?\s+\d{4})"
_DATE_OF_BIRTH = re.compile(
    rf"(?:\bd\.?\s?o\.?\s?b\.?|\bdate\s+of\s+birth|\bborn(?:\s+on)?)\s*[:\-]?\s*{_DATE}", re.IGNORECASE
)
_STREET = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Court|Gardens|Place|Terrace|Grove|"
    r"Square|Hill|Row|Walk|Mews|Park)"
)
_ADDRESS = re.compile(rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][a-z'’]+\s+){{1,3}}{_STREET}\b")
# Outward code (A9, A9A, A99, AA9, AA9A, AA99), a space, inward code (9AA); upper or lower case.
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
_NHS_NUMBER = re.compile(r"(?<![\d])(\d{3})[\s-]?(\d{3})[\s-]?(\d{4})(?![\d])")
_NI_NUMBER = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE
)
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0)(?:\d[\s-]?){9,10}(?![\d])")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
_NAME_AGED = re.compile(r"\b[A-Z][a-z]{2,},?\s+aged\s+\d{1,2}\b")


@dataclass(frozen=True)
class Finding:
    kind: str  # what it looks like, in words ("a postcode")
    excerpt: str  # the words that look like it (shown to the author only)


def _nhs_check_digit_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def find_identifying_details(text: str) -> list[Finding]:
    """What in ``text`` looks as if it could identify someone, in the order found, each kind once."""
    findings: list[Finding] = []
    seen: set[str] = set()

    def add(kind: str, excerpt: str) -> None:
        if kind not in seen:
            seen.add(kind)
            findings.append(Finding(kind, excerpt.strip()))

    for pattern, kind in (
        (_TITLE_AND_NAME, TITLE_AND_NAME),
        (_DATE_OF_BIRTH, DATE_OF_BIRTH),
        (_ADDRESS, ADDRESS),
        (_POSTCODE, POSTCODE),
        (_NI_NUMBER, NI_NUMBER),
        (_EMAIL, EMAIL),
        (_NAME_AGED, NAME_AND_AGE),
    ):
        match = pattern.search(text)
        if match:
            add(kind, match.group(0))
    for match in _NHS_NUMBER.finditer(text):
        digits = "".join(match.groups())
        if _nhs_check_digit_ok(digits):
            add(NHS_NUMBER, match.group(0))
            break
    for match in _PHONE.finditer(text):
        add(PHONE, match.group(0))
        break
    return findings


def find_in_answers(answers: dict[str, str]) -> list[Finding]:
    """The findings over every answer of a reflection or CPD entry, each kind once."""
    return find_identifying_details("\n".join(answers.values()))
