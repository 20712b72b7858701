"""Before enrolling: which dates (when a course has several runs), then the terms of one run, shown before
the person confirms: every session, the price for their organisation, places left or the waitlist."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from classroom.enrolment.views import Quote, RunChoice
from dialogs.cards.base import CardMessage, Element, card, container, facts, heading, text
from dialogs.cards.formatting import duration_text, plural
from dialogs.enrolment.cards.parts import (
    local_moment,
    other_dates,
    price_text,
    reply_hint,
    run_span,
    session_facts,
)
from storage.models import EnrolmentStatus


def build_run_choice_card(choices: list[RunChoice], zone: ZoneInfo) -> CardMessage:
    title = choices[0].run.course_title
    body: list[Element] = [heading("Which dates would you like?", size="Medium"), text(f"**{title}** runs on:")]
    for number, choice in enumerate(choices, start=1):
        places = (
            f"{plural(choice.places_left, 'place')} left"
            if choice.places_left
            else f"full ({plural(choice.waitlist_length, 'person', 'people')} waiting)"
        )
        body.append(
            container(
                [text(f"**{number}. {choice.run.run_code}**: {run_span(choice.run.sessions, zone)} · {places}")],
                separator=True,
            )
        )
    body.append(text("Reply with the number or the code of the dates you want.", subtle=True))
    return card(body)


def build_terms_card(quote: Quote, zone: ZoneInfo, offer_hold: timedelta, replies: list[str]) -> CardMessage:
    run = quote.run
    multi = run.session_count > 1
    body: list[Element] = [
        heading(f"Enrol on {run.course_title}", size="Medium"),
        text(f"{run.run_code} · {run_span(run.sessions, zone)} · online via Microsoft Teams", subtle=True),
    ]
    offered = quote.existing is not None and quote.existing.status == EnrolmentStatus.OFFERED
    if offered and quote.existing is not None and quote.existing.offer_expires_at is not None:
        body.append(text(f"**A place is held for you until {local_moment(quote.existing.offer_expires_at, zone)}.**"))
    body.append(text("**You need to attend every date:**" if multi else "**Date:**", spacing="Medium"))
    body.append(session_facts(run.sessions, zone))
    details = [
        ("Your organisation", quote.organisation_name),
        ("Price", price_text(quote.price_pence, quote.price_band, quote.organisation_name)),
    ]
    if not offered:
        details.append(
            ("Places", f"{quote.places_left} of {run.capacity} left")
            if not quote.full
            else ("Places", f"full, {plural(quote.waitlist_length, 'person', 'people')} waiting")
        )
    if run.prerequisites:
        details.append(("You will need", run.prerequisites))
    body.append(facts(details))
    if quote.full and not offered:
        hold = duration_text(offer_hold, largest="hour")
        body.append(
            text(
                f"This date is full. You can join the waitlist as number {quote.waitlist_length + 1}: if a place "
                f"comes up I'll offer it to you here and hold it for {hold}."
            )
        )
        if quote.other_runs:
            body.append(other_dates(quote.other_runs, zone))
    elif multi:
        body.append(
            text(
                "Can you attend every date? If one clashes (for example with a court date), tell me which and "
                "why: the trainers decide, and your place is held meanwhile."
            )
        )
    else:
        body.append(text("Shall I book your place?"))
    body.append(reply_hint(replies))
    body.append(text(f"Times are UK time ({zone.key}). The price is invoiced to your organisation.", subtle=True))
    return card(body)
