"""A CPD entry as Social Work England's form asks for it: each field under the form's own heading, plain text ready
to paste (their site logs people out after an hour, so they are told to draft elsewhere and paste in)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.reflection.views import CpdEntryView

TITLE = "Title"
DATE = "Date"
TYPE = "Type of CPD"
DESCRIPTION = "Description of the activity and why it is relevant to you"
LEARNT = "What you learnt"
IMPACT = "The positive impact on your practice and the people you work with"
PEER = "What you learnt from discussing this CPD activity with a peer"
HEADINGS = (TITLE, DATE, TYPE, DESCRIPTION, LEARNT, IMPACT, PEER)

WHAT_SWE_ASKS = (
    "Social Work England asks you to record CPD in each registration year (1 December to 30 November) on your "
    "online account, with at least one piece reflected on with a peer. Check their current requirements before "
    "you renew."
)


def hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes / 60:.1f} hours"


def form_fields(entry: CpdEntryView, zone: ZoneInfo | None = None) -> list[tuple[str, str]]:
    """(heading, text) for every field of the form, in the form's order; empty text where nothing was written."""
    fields = entry.fields
    impact = fields.impact
    if fields.try_first:
        impact = f"{impact}\n\nWhat I will try first: {fields.try_first}" if impact else fields.try_first
    description = fields.description
    if fields.outcomes:
        description += "\n\nLearning outcomes it addressed for me: " + "; ".join(fields.outcomes)
    kind = f"{entry.cpd_type} ({hours_text(entry.minutes)})" if entry.minutes else entry.cpd_type
    return [
        (TITLE, fields.title),
        (DATE, entry.activity_date.strftime("%-d %B %Y")),
        (TYPE, kind),
        (DESCRIPTION, description),
        (LEARNT, fields.learnt),
        (IMPACT, impact),
        (PEER, fields.peer),
    ]
