"""A place came free for someone on the waitlist (held for a limited time), or that offer lapsed.

The offer card is replaced by its settled state once the place is taken, turned down or lapses (whichever way:
its own buttons, a typed command, the enrol flow, the housekeeping job), so it never asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from classroom.enrolment.notices import OfferLapsedNotice, RunNotice, WaitlistOfferNotice
from dialogs.cards.base import CardMessage, Element, card, container, heading, submit, text
from dialogs.cards.formatting import pounds
from dialogs.enrolment.cards.parts import local_moment, offer_buttons, session_facts


def build_waitlist_offer_card(notice: WaitlistOfferNotice, zone: ZoneInfo, *, note: str | None = None) -> CardMessage:
    """The offer as it stands: open with its buttons, or what became of it (then nothing left to accept);
    ``note`` (only in the answer to the person who pressed) says what just happened."""
    run = notice.run
    body: list[Element] = []
    if note:
        body.append(container([text(note, weight="Bolder")], style="accent"))
    if notice.outcome is not None:
        heading_words, words, actions = _SETTLED[notice.outcome](run)
        body += [heading(f"{heading_words}: {run.course_title}", size="Medium"), text(words)]
        return card(body, actions)
    until = local_moment(notice.expires_at, zone) if notice.expires_at else "the course starts"
    body += [
        heading(f"A place is free: {run.course_title}", size="Medium"),
        text(
            f"A place on **{run.run_code}** has come up and is held for you until **{until}**. After that it goes "
            "to the next person waiting."
        ),
        session_facts(notice.sessions, zone),
    ]
    if notice.price_pence is not None:
        body.append(text(f"Price for your organisation: {pounds(notice.price_pence)} per place."))
    if len(notice.sessions) > 1:
        body.append(
            text("You need to attend every date. If any of them clashes, press **I have a clash**.", subtle=True)
        )
    return card(body, offer_buttons(run.run_code, len(notice.sessions), answered_in_place=True))


Settled = Callable[[RunNotice], tuple[str, str, list[Element]]]
_SETTLED: dict[str, Settled] = {
    "accepted": lambda run: (
        "Place taken",
        f"You accepted this place on {run.run_code}: it is confirmed. Type **my courses** for the dates and an "
        '"Add to calendar" link.',
        [submit("My courses", "my courses")],
    ),
    "under_review": lambda run: (
        "Place taken",
        f"You took this place on {run.run_code} with a clash: it is held for you while the trainers decide.",
        [submit("My courses", "my courses")],
    ),
    "declined": lambda run: (
        "Offer turned down",
        f"You turned down this place on {run.run_code}; it has gone to the next person waiting.",
        [submit("Other dates", "course", run.course_code)],
    ),
    "lapsed": lambda run: (
        "Offer expired",
        f"This place on {run.run_code} was not taken up in time, so it has gone to the next person waiting.",
        [submit("Join the waitlist again", "enrol", run.run_code)],
    ),
    "closed": lambda run: (
        "Offer closed",
        f"This offer of a place on {run.run_code} is no longer open. Type **my courses** to see where you stand.",
        [submit("My courses", "my courses")],
    ),
}


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
