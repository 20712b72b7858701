"""The fields of an enquiry: what each accepts, normalised, or an InvalidInput that says why not.

One place for the rules, used by the dialog (to re-ask with the reason) and by the service (so nothing that
bypasses the dialog, such as a crafted card, can store what the dialog would refuse).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classroom.errors import InvalidInput
from classroom.text import clean
from storage.models import EnquiryKind

NAME_MAX = 200
EMAIL_MAX = 254
ORGANISATION_MAX = 200
ROLE_MAX = 200
DATES_MAX = 300
MESSAGE_MIN, MESSAGE_MAX = 5, 2000
REPLY_MAX = 2000
PARTICIPANTS_MIN, PARTICIPANTS_MAX = 1, 200
COURSES_MAX = 5
GENERAL_WORDS = frozenset({"none", "general", "no", "any", "n/a", "na", "-"})

PLATFORMS = ("Microsoft Teams", "Zoom", "Other or no preference")
_PLATFORM_WORDS = {
    "1": PLATFORMS[0],
    "teams": PLATFORMS[0],
    "microsoft teams": PLATFORMS[0],
    "ms teams": PLATFORMS[0],
    "2": PLATFORMS[1],
    "zoom": PLATFORMS[1],
    "3": PLATFORMS[2],
    "other": PLATFORMS[2],
    "no preference": PLATFORMS[2],
    "either": PLATFORMS[2],
    "any": PLATFORMS[2],
    "other or no preference": PLATFORMS[2],
}
_KIND_WORDS = {
    "1": EnquiryKind.QUESTION,
    "question": EnquiryKind.QUESTION,
    "a question": EnquiryKind.QUESTION,
    "ask": EnquiryKind.QUESTION,
    "2": EnquiryKind.DELIVERY,
    "delivery": EnquiryKind.DELIVERY,
    "request": EnquiryKind.DELIVERY,
    "deliver": EnquiryKind.DELIVERY,
    "delivery request": EnquiryKind.DELIVERY,
    "course request": EnquiryKind.DELIVERY,
}
# Deliberately simple: one @, no spaces, a dot in the domain. Teams addresses are all of this shape.
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}$")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
_COURSE_SEPARATORS = re.compile(r"[\s,;/&+]+|\band\b", re.IGNORECASE)


def _one_line(value: str, label: str, maximum: int, minimum: int = 2) -> str:
    text = clean(value).replace("\n", " ")
    if len(text) < minimum:
        raise InvalidInput(f"{label} needs at least {minimum} characters")
    if len(text) > maximum:
        raise InvalidInput(f"{label} can be at most {maximum} characters (you wrote {len(text)})")
    return text


def parse_kind(value: str) -> EnquiryKind:
    kind = _KIND_WORDS.get(clean(value).lower().rstrip("."))
    if kind is None:
        raise InvalidInput("please answer 1 for a question about a course, or 2 to ask us to deliver a course")
    return kind


def parse_name(value: str) -> str:
    return _one_line(value, "Your name", NAME_MAX)


def parse_email(value: str) -> str:
    text = clean(value)
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if len(text) > EMAIL_MAX or not _EMAIL.match(text):
        raise InvalidInput("that doesn't look like an email address; it should look like name@example.org")
    return text


def parse_organisation(value: str) -> str:
    return _one_line(value, "The organisation", ORGANISATION_MAX)


def parse_role(value: str) -> str:
    return _one_line(value, "Your role", ROLE_MAX)


def parse_participants(value: str) -> int:
    text = clean(value).replace(",", "")
    if not text.isdigit():
        raise InvalidInput(
            f"please give the number of participants as a whole number, {PARTICIPANTS_MIN}-{PARTICIPANTS_MAX}"
        )
    number = int(text)
    if not PARTICIPANTS_MIN <= number <= PARTICIPANTS_MAX:
        raise InvalidInput(
            f"the number of participants must be between {PARTICIPANTS_MIN} and "
            f"{PARTICIPANTS_MAX}; for a bigger group, say so in your message"
        )
    return number


def parse_dates(value: str) -> str:
    return _one_line(value, "Preferred dates", DATES_MAX)


def parse_platform(value: str) -> str:
    platform = _PLATFORM_WORDS.get(clean(value).lower().rstrip("."))
    if platform is None:
        raise InvalidInput("please choose 1 (Microsoft Teams), 2 (Zoom) or 3 (other or no preference)")
    return platform


def parse_message(value: str) -> str:
    text = clean(value)
    if len(text) < MESSAGE_MIN:
        raise InvalidInput(f"please write a little more (at least {MESSAGE_MIN} characters)")
    if len(text) > MESSAGE_MAX:
        raise InvalidInput(
            f"your message can be at most {MESSAGE_MAX} characters (it has {len(text)}); please shorten it"
        )
    return text


def parse_reply(value: str) -> str:
    text = clean(value)
    if not text:
        raise InvalidInput("the reply is empty")
    if len(text) > REPLY_MAX:
        raise InvalidInput(f"a reply can be at most {REPLY_MAX} characters (this one has {len(text)})")
    return text


def split_course_codes(value: str) -> list[str]:
    """The codes someone typed ("PERM4, permplan"), upper-cased, in order, without repeats."""
    codes: list[str] = []
    for part in _COURSE_SEPARATORS.split(clean(value)):
        code = part.strip().upper()
        if code and code not in codes:
            codes.append(code)
    return codes


def is_general(value: str) -> bool:
    return clean(value).lower().rstrip(".") in GENERAL_WORDS


def check_course_codes(codes: list[str], known: set[str], kind: EnquiryKind) -> list[str]:
    """Validate codes against the catalogue; a question may be about no course in particular."""
    if not codes:
        if kind is EnquiryKind.DELIVERY:
            raise InvalidInput("a delivery request needs at least one course code")
        return []
    if len(codes) > COURSES_MAX:
        raise InvalidInput(f"please name at most {COURSES_MAX} courses")
    if any(not _CODE.match(code) for code in codes):
        # Not echoed: only code-shaped text is ever repeated back, so nothing typed can become formatting.
        raise InvalidInput("course codes are letters and digits, like PERM4")
    unknown = [code for code in codes if code not in known]
    if unknown:
        shown = ", ".join(unknown[:3])
        raise InvalidInput(f"I don't know the course code{'s' if len(unknown) > 1 else ''} {shown}")
    return codes


@dataclass(frozen=True)
class EnquiryDraft:
    """Everything the enquirer told us, before it becomes an enquiry."""

    kind: EnquiryKind
    course_codes: list[str]
    name: str
    email: str
    organisation: str
    role: str
    message: str
    participants: int | None = None
    preferred_dates: str | None = None
    preferred_platform: str | None = None

    def validated(self, known_codes: set[str]) -> EnquiryDraft:
        """The same draft with every field checked and normalised; raises InvalidInput on the first problem."""
        delivery = self.kind is EnquiryKind.DELIVERY
        if delivery and (self.participants is None or not self.preferred_dates or not self.preferred_platform):
            raise InvalidInput("a delivery request needs the number of participants, dates and platform")
        return EnquiryDraft(
            kind=EnquiryKind(self.kind),
            course_codes=check_course_codes([c.upper() for c in self.course_codes], known_codes, self.kind),
            name=parse_name(self.name),
            email=parse_email(self.email),
            organisation=parse_organisation(self.organisation),
            role=parse_role(self.role),
            message=parse_message(self.message),
            participants=parse_participants(str(self.participants)) if delivery else None,
            preferred_dates=parse_dates(self.preferred_dates or "") if delivery else None,
            preferred_platform=parse_platform(self.preferred_platform or "") if delivery else None,
        )
