"""How people ask for the catalogue in their own words: "show me the courses", "what's on?", "search for court"."""

from __future__ import annotations

COURSES_ALIASES = ("catalogue", "catalog", "course list", "all courses", "list courses", "show courses")
COURSES_PHRASES = (
    r"(?:please )?(?:show|list|see|view)(?: me)?(?: all)?(?: the| your)? (?:courses|catalogue|catalog)(?: please)?",
    r"what(?:'s| is) on(?: offer)?",
    r"what (?:courses|training) (?:do you (?:have|offer|run)|are (?:there|on|available|running))",
)
COURSE_ALIASES = ("details",)
FIND_ALIASES = ("search", "search for", "look for")
FIND_PHRASES = (r"(?:find|search for|look for|search)(?: me)? (?:a |any )?courses? (?:on|about|for) (?P<args>.+)",)
