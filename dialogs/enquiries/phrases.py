"""How people ask to write to the training team in their own words: "I have a question", "contact the team"."""

from __future__ import annotations

ENQUIRE_ALIASES = ("inquire",)
ENQUIRE_PHRASES = (
    r"(?:i(?: have|'ve got| want to ask) a question|ask (?:a question|the (?:training )?team)|"
    r"contact (?:the )?(?:training )?team|(?:make|send|start) an? (?:enquiry|inquiry))"
    r"(?: (?:about|on|for) (?P<args>[a-z0-9][a-z0-9_-]*))?",
)
MY_ENQUIRIES_ALIASES = ("my enquiry", "my inquiries", "my questions")
