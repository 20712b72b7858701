"""Alex sends an enquiry in his chat with the bot, as the end-to-end tests about enquiries need one."""

from __future__ import annotations

import re

from tests.e2e.playground import PlaygroundClient, card_text, said, text

REFERENCE = re.compile(r"ENQ-\d{4}-\d{4}")
ANSWERS = ("1", "PERM4", "ok", "alex.wilber@example.org", "Brighton & Hove City Council", "Social worker")


async def send_enquiry(alex: PlaygroundClient, question: str) -> str:
    """Ask ``question`` about PERM4 through the ``enquire`` dialog in Alex's chat (installed already) and press
    Send; returns the enquiry's reference."""
    chat = alex.playground.chats.personal
    await alex.say(chat, "enquire")
    await alex.replies_until(chat, lambda m: "What would you like to do?" in said(m))
    for answer in ANSWERS:
        await alex.say(chat, answer)
        assert not said(await alex.reply(chat)).startswith("Sorry"), answer
    await alex.say(chat, question)
    confirmation = await alex.reply(chat)
    assert card_text(confirmation).startswith("Please check your enquiry")
    await alex.press(chat, confirmation, "Send")
    [reference] = REFERENCE.findall(text(await alex.reply(chat)))
    return reference
