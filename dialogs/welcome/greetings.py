"""Greetings and thanks get a greeting back, not a course list: "hi", "good morning", "thanks!".

Neither is listed in ``help`` or the command menu. Both are asides: said in the middle of a dialog, they are
answered and the dialog's question is asked again.
"""

from __future__ import annotations

from dialogs.cards.formatting import without_markdown
from dialogs.routing import EVERYONE, PERSONAL, CommandRequest, Router

router = Router()

_GREETINGS = r"(?:hi|hello|hey|hiya|howdy|morning|afternoon|evening|good (?:morning|afternoon|evening|day))"
_THANKS = r"(?:thanks|thank you|thankyou|thx|ta|cheers|many thanks)"
_TO_WHOM = r"(?: (?:there|bot|classroom|everyone|all|again))?"


@router.command(
    "hi",
    roles=EVERYONE,
    description="Greet the bot",
    phrases=(rf"{_GREETINGS}{_TO_WHOM}",),
    listed=False,
    aside=True,
)
async def greet(request: CommandRequest) -> None:
    first_name = without_markdown(request.sender_name.split()[0]) if request.sender_name.split() else ""
    hello = f"Hello, {first_name}!" if first_name else "Hello!"
    if request.scope == PERSONAL:
        await request.say(
            f"{hello} I can show you our courses, book you a place and pass your questions to the training team. "
            "Type **courses** to see what's on, **my courses** for your bookings, or **help** for everything."
        )
    else:
        await request.say(f"{hello} Mention me with **courses** to see what's on, or **help** for what I can do here.")


@router.command(
    "thanks",
    roles=EVERYONE,
    description="Thank the bot",
    phrases=(rf"{_THANKS}(?: (?:so much|very much|a lot))?{_TO_WHOM}",),
    listed=False,
    aside=True,
)
async def thank(request: CommandRequest) -> None:
    await request.say("You're welcome!")
