"""Download links for poll answers, issued to the person who asked (the service decides whether they may: the
run's trainers and coordinators, by stored roles). A link is a credential, so it is only ever shown to that person:
in the answer to their own button press, or in their one-to-one chat with the bot."""

from __future__ import annotations

from botbuilder.core import TurnContext

from classroom.errors import NotFound
from dialogs.cards.formatting import shown_code
from dialogs.polls.cards.results import Download
from dialogs.polls.links import export_url
from dialogs.sender import sender_aad_object_id
from dialogs.services import Services

NOT_YOURS = (
    "Sorry, I can't find {what}, or its answers aren't yours to see: only the run's trainers and coordinators "
    "can see and download them."
)
ONLY_IN_PRIVATE = (
    "Download links open the answers without signing in, so I only give them to you alone: press "
    "**Download answers (CSV)** on the card, or send me **{command}** in our one-to-one chat."
)


def not_yours(what: str) -> str:
    return NOT_YOURS.format(what=what)


async def download_for(
    services: Services, turn_context: TurnContext, *, poll_id: int | None = None, run_code: str | None = None
) -> Download | None:
    """A fresh link for the sender, or None when there is no such poll or run or it is not theirs to see (alike)."""
    try:
        issued = await services.polls.export_link(
            poll_id=poll_id, run_code=run_code, by=sender_aad_object_id(turn_context)
        )
    except NotFound:
        return None
    return Download(export_url(services.public_base_url, issued.token), issued.expires_at)


def run_code_from(value: object) -> str | None:
    """A run code from card data or typed words (untrusted): shaped like a code, or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    code = shown_code(value, "")
    return code or None
