"""A place came free for someone on the waitlist (held for a limited time), or that offer lapsed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.notices import OfferLapsedNotice, WaitlistOfferNotice
from dialogs.cards.base import CardMessage, Element, card, heading, submit, text
from dialogs.cards.formatting import pounds
from dialogs.enrolment.cards.parts import local_moment, session_facts


def build_waitlist_offer_card(notice: WaitlistOfferNotice, zone: ZoneInfo) -> CardMessage:
    run = notice.run
    body: list[Element] = [
        heading(f"A place is free: {run.course_title}", size="Medium"),
        text(
            f"A place on **{run.run_code}** has come up and is held for you until "
            f"**{local_moment(notice.expires_at, zone)}**. After that it goes to the next person waiting."
        ),
        session_facts(notice.sessions, zone),
    ]
    if notice.price_pence is not None:
        body.append(text(f"Price for your organisation: {pounds(notice.price_pence)} per place."))
    return card(
        body,
        [
            submit("Accept the place", "offer", f"accept {run.run_code}", style="positive"),
            submit("No thanks", "offer", f"decline {run.run_code}"),
        ],
    )


def build_offer_lapsed_card(notice: OfferLapsedNotice, _zone: ZoneInfo) -> CardMessage:
    run = notice.run
    return card(
        [
            heading(f"Offer expired: {run.course_title}", size="Medium"),
            text(
                f"The place held for you on {run.run_code} was not taken up in time, so it has gone to the next "
                "person waiting, and you have left the waitlist. You can join it again."
            ),
        ],
        [submit("Join the waitlist again", "enrol", run.run_code)],
    )
