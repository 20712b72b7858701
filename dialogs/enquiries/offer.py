"""When the bot does not understand a message: is it a question worth passing to the training team?

Only questions and requests in a few words or more qualify, so a mistyped command ("corses") still gets the
usual hint and is never turned into an enquiry. Even then it is only an offer: a button that starts the
enquiry dialog with the question as its message, checked by the person before anything is sent.
"""

from __future__ import annotations

from dialogs.enquiries.cards.offer import build_enquiry_offer_card
from dialogs.feature import NotUnderstood
from dialogs.routing import PERSONAL

_QUESTION_WORDS = frozenset(
    """what what's whats when where who whom whose why how which can could do does did is are will would should
    shall may might has have am was were isn't aren't don't doesn't won't""".split()
)
_REQUEST_WORDS = frozenset("i i'd i'm i've we we'd we're our my please".split())
MIN_QUESTION_WORDS = 3
MIN_REQUEST_WORDS = 6


def looks_like_question(text: str) -> bool:
    words = text.split()
    if len(words) < MIN_QUESTION_WORDS:
        return False
    first = words[0].lower().strip(",.!?:;").replace("’", "'")
    if text.rstrip().endswith("?") or first in _QUESTION_WORDS:
        return True
    return first in _REQUEST_WORDS and len(words) >= MIN_REQUEST_WORDS


async def offer_enquiry(message: NotUnderstood) -> bool:
    """A question we cannot answer, in our one-to-one chat: offer to pass it to the training team."""
    request = message.request
    if request.scope != PERSONAL or message.near_misses or not looks_like_question(message.phrase):
        return False
    await request.show(build_enquiry_offer_card(message.phrase))
    return True
