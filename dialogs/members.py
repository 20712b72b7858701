"""Who can read a chat or channel, from Teams' member list (the team's roster for a channel).

Teams lists members with their Entra object id under ``objectId`` (Microsoft's documented payload) where
botbuilder's model expects ``aadObjectId`` (what the Agents Playground sends): both are read. Values from the
list are bounded like every other value from Teams, since the names are shown back to people.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import cast

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ChannelAccount
from botbuilder.schema.teams import TeamsChannelAccount, TeamsPagedMembersResult

from classroom.coordinators import ChatMember
from classroom.text import bounded, storable

log = logging.getLogger(__name__)

PAGE_SIZE = 500  # the most Teams returns in one page
MAX_PAGES = 200  # 100,000 members: a larger roster is refused rather than read for minutes
MAX_NAME = 200
MAX_AAD_OBJECT_ID = 64
UNNAMED = "someone Teams does not name"


class MembersUnavailable(Exception):
    """Teams did not give the member list (an error, no connector, or a roster too large to read)."""


async def conversation_members(turn_context: TurnContext) -> list[ChatMember]:
    """Everyone Teams lists in this conversation (for a channel, its team), the bot itself left out.

    Raises:
        MembersUnavailable: the list could not be read whole; nothing should be decided on part of it.
    """
    bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
    members: list[ChatMember] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        try:
            # botbuilder annotates `continuation_token: str = None` (it means str | None) and the result as a list
            # (it is one page).
            found = await TeamsInfo.get_paged_members(turn_context, cast(str, token), PAGE_SIZE)
            page = cast(TeamsPagedMembersResult, found)
        except Exception as error:
            log.warning("could not read the members of %s: %s", turn_context.activity.conversation.id, error)
            raise MembersUnavailable(str(error)) from error
        members.extend(_member(m) for m in page.members or [] if m is not None and m.id != bot_id)
        token = page.continuation_token
        if not token:
            return members
    raise MembersUnavailable(f"more than {MAX_PAGES * PAGE_SIZE} members")


def joined_members(turn_context: TurnContext) -> list[ChatMember]:
    """The people a conversationUpdate says joined (the bot left out), bounded like the member list; the event
    carries ids, rarely names."""
    activity = turn_context.activity
    bot_id = activity.recipient.id if activity.recipient else None
    accounts = activity.members_added if isinstance(activity.members_added, list) else []
    return [
        _bounded(account.aad_object_id, account.name if isinstance(account.name, str) else "")
        for account in accounts[:PAGE_SIZE]
        if isinstance(account, ChannelAccount) and account.id != bot_id
    ]


def _member(account: TeamsChannelAccount) -> ChatMember:
    extra = account.additional_properties or {}
    return _bounded(account.aad_object_id or extra.get("objectId"), _name(account))


def _bounded(aad: object, name: str) -> ChatMember:
    aad = storable(aad) if isinstance(aad, str) and 0 < len(aad) <= MAX_AAD_OBJECT_ID else None
    return ChatMember(aad_object_id=aad, name=bounded(name or UNNAMED, MAX_NAME))


def _name(account: TeamsChannelAccount) -> str:
    """The display name; Microsoft's documented list may give only the given name, surname and email."""
    if isinstance(account.name, str) and account.name.strip():
        return account.name
    parts = [p for p in (account.given_name, account.surname) if isinstance(p, str) and p.strip()]
    if parts:
        return " ".join(parts)
    for fallback in (account.email, account.user_principal_name):
        if isinstance(fallback, str) and fallback.strip():
            return fallback
    return UNNAMED


MAX_EMAIL = 320


@dataclass(frozen=True)
class SenderListing:
    """What Teams' member list says of the sender: their email (None: none given, or no answer) and whether they
    are a guest (whose activities carry the host organisation's tenant, not their own)."""

    email: str | None = None
    guest: bool = False


async def sender_listing(turn_context: TurnContext) -> SenderListing:
    """The sender as Teams lists them (``GET /v3/conversations/{id}/members/{userId}``): untrusted, bounded here
    and checked again by whoever uses it; nothing known when the lookup fails."""
    sender = turn_context.activity.from_property
    if sender is None or not sender.id:
        return SenderListing()
    try:
        member = await TeamsInfo.get_member(turn_context, sender.id)
    except Exception as error:  # noqa: BLE001  # no connector (a test adapter), a guest, Teams down: no evidence
        log.info("could not look up the sender's email in %s: %s", turn_context.activity.conversation.id, error)
        return SenderListing()
    guest = getattr(member, "user_role", None) == "guest"
    for value in (getattr(member, "email", None), getattr(member, "user_principal_name", None)):
        if isinstance(value, str) and 0 < len(value.strip()) <= MAX_EMAIL:
            return SenderListing(value.strip(), guest)
    return SenderListing(None, guest)
