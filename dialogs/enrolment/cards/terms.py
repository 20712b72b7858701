"""Before enrolling: which dates (when a course has several runs), then the terms of one run, shown before
the person confirms: every session, the price for their organisation, places left or the waitlist."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from classroom.enrolment.views import Quote, RunChoice
from dialogs.cards.answers import answer_choices, answer_hint
from dialogs.cards.base import CardMessage, Element, card, container, facts, heading, text
from dialogs.cards.formatting import duration_text, plural
from dialogs.enrolment.cards.parts import (
    local_moment,
    other_dates,
    price_text,
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
    codes = [choice.run.run_code for choice in choices]
    picker, buttons = answer_choices([(code, code) for code in codes], label="The dates you want")
    body.extend(picker)
    body.append(answer_hint("Or type the number or the code of the dates you want."))
    return card(body, buttons)


def build_terms_card(
    quote: Quote, zone: ZoneInfo, offer_hold: timedelta, choices: list[tuple[str, str]]
) -> CardMessage:
    """``choices``: the answer buttons (title, answer): every date / a clash / no, or, when the run is full,
    another date with places / the waitlist / no."""
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
        (
            "Price",
            price_text(
                quote.price_pence, quote.price_band, quote.organisation_name, confirmed=quote.organisation_confirmed
            ),
        ),
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
                "Can you attend every date? If any clash (for example with a court date), tell me which and "
                "why: the trainers decide, and your place is held meanwhile."
            )
        )
    else:
        body.append(text("Shall I book your place?"))
    picker, buttons = answer_choices(choices, label="Your answer")
    body.extend(picker)
    body.append(text(f"Times are UK time ({zone.key}). The price is invoiced to your organisation.", subtle=True))
    body.append(answer_hint("Press a button, or type your answer (or its number: 1 for the first)."))
    return card(body, buttons)
