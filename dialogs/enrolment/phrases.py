"""How people ask about their own bookings in their own words: "book PERM4", "cancel my place on PERM4", "what
time is my course?". Each phrase is matched against the whole message (any case, closing punctuation ignored);
its ``args`` group is the course code the command gets."""

from __future__ import annotations

# A course or run code; never one of the words that follow "cancel" without naming a course ("cancel that").
_NOT_CODES = "it|that|this|please|everything|all|now|me|my|the|place|booking|enrolment|enrollment|enquiry|search"
CODE = rf"(?!(?:{_NOT_CODES})\b)(?P<args>[a-z0-9][a-z0-9_-]*)"
_PLEASE = r"(?: please)?"

ENROL_ALIASES = ("enroll", "book", "register", "sign up")
ENROL_PHRASES = (
    rf"(?:please )?(?:(?:can|could|may) i |i(?:'d| would) like to |i want to |let me )?"
    rf"(?:book|enrol|enroll|register|sign(?: me)? up|reserve)(?: me| myself)?(?: an?| my)?(?: place| seat| spot)?"
    rf"(?: (?:on|onto|for|in|into|at|to))?(?: the)? {CODE}(?: course)?{_PLEASE}",
)

MY_COURSES_ALIASES = (
    "my course",
    "my bookings",
    "my booking",
    "bookings",
    "my places",
    "my place",
    "my enrolments",
    "my enrolment",
    "my enrollments",
    "my sessions",
    "my session",
    "my schedule",
    "calendar",
    "my calendar",
)
_MINE = r"(?:course|session|class|training|booking)s?"
MY_COURSES_PHRASES = (
    rf"(?:what|when|what time|what day|which day|what date|where)(?:'s| is| are| does| do) (?:my|our)(?: next)? "
    rf"{_MINE}(?: start| begin| on)?",
    rf"(?:what|when|what time)(?:'s| is) the next {_MINE}(?: i'm on| for me)?",
    r"(?:what|which) (?:courses?|sessions?|training) (?:am i|have i|did i)(?: got)?"
    r"(?: (?:on|doing|booked|enrolled|registered|signed up|going to))?(?: (?:on|onto|for|in|to))?",
    r"what am i (?:booked|enrolled|registered|signed up) (?:on|onto|for|in)",
    rf"(?:show|see|list|view)(?: me)? my {_MINE}",
    r"(?:how do i join|where(?:'s| is) the (?:join |meeting |teams )?link|(?:join|meeting|teams) link)"
    r"(?: (?:for|to))?(?: my| the)?(?: next)?(?: (?:course|session|class))?",
    r"(?:add (?:it|them|my (?:course|sessions?)) to my calendar|calendar links?)",
)

WITHDRAW_ALIASES = ("unenrol", "unenroll", "cancel my place", "cancel my booking")
_MY_PLACE = r"(?: my)?(?: (?:place|booking|enrolment|enrollment|registration|seat|spot))?"
WITHDRAW_PHRASES = (
    rf"(?:please )?(?:cancel|withdraw|unenrol|unenroll|drop out|pull out|back out)(?: me)?(?: (?:of|from))?"
    rf"{_MY_PLACE}(?: (?:on|for|at|from|in|of))?(?: the)? {CODE}(?: course)?{_PLEASE}",
    rf"(?:please )?(?:cancel|withdraw) my (?:place|booking|enrolment|enrollment){_PLEASE}",  # which: it asks
    rf"(?:leave|get off|take me off|remove me from) the wait ?list(?: (?:for|on|of))? {CODE}",
    rf"i (?:can't|cannot|can no longer|won't be able to) (?:come|attend|make it|go)(?: to| on)?(?: the)? {CODE}"
    r"(?: course)?(?: any ?more)?",
)
