"""The first thing a person sees: what the bot does for them, by role and by where it was installed."""

from __future__ import annotations

from collections.abc import Iterable

from dialogs.cards.base import CardMessage, Element, card, heading, submit, text
from dialogs.cards.formatting import without_markdown
from dialogs.routing import PERSONAL, TEAM
from storage.models import Role

_ROLE_LINES = {
    Role.PARTICIPANT: "Browse our social-work courses, see every session date in UK time, and find the "
    "course that fits your practice.",
    Role.TRAINER: "As a trainer you see the rosters of the runs you deliver and decide participants' date "
    "clashes; session tools for your live classes are arriving here as well.",
    Role.COORDINATOR: "As a coordinator you can see the whole catalogue, its runs and places at a glance, and link "
    "trainers to runs (link trainer @person CODE).",
    Role.ADMIN: "As an administrator you decide who has which role: grant @person ROLE, revoke @person ROLE, "
    "and roles to see who holds which.",
}


_GROUP_LINE = (
    "Everyone here can browse our social-work courses and their session dates. Trainers and coordinators can "
    "link this chat to a course run and run live polls in it (type **help** to see how)."
)


def build_welcome_card(name: str, roles: Iterable[Role], scope: str) -> CardMessage:
    """The welcome; in a group chat or channel it is about the chat, never the installer's roles, which everyone
    there would read."""
    words = without_markdown(name).split()  # the installer's name is shown to everyone in a group chat
    first_name = words[0] if words else ""
    greeting = f"Welcome, {first_name}!" if first_name else "Welcome!"
    body: list[Element] = [
        heading(greeting),
        text(
            "I'm the training bot for our online social-work courses, delivered in Microsoft Teams virtual classrooms."
        ),
    ]
    if scope == PERSONAL:
        held = set(roles)
        body.extend(text(_ROLE_LINES[role]) for role in Role if role in held)
    else:
        body.append(text(_GROUP_LINE))
    if scope == PERSONAL:
        body.append(
            text(
                "Type **courses** to see what's on, **course** followed by a code for the details, "
                "**find** to search, or **help** at any time."
            )
        )
    else:
        here = "this channel" if scope == TEAM else "this chat"
        body.append(
            text(
                f"In {here}, mention me and type **courses**, **course CODE**, **find** or "
                "**help**. For anything personal, chat with me one-to-one."
            )
        )
    return card(body, [submit("Browse courses", "courses"), submit("Find a course", "find"), submit("Help", "help")])
