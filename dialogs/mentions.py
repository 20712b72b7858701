"""Mentions in a message: the bot's own taken out of the text (the command is what is left), and whom a command
names (the person @mentioned, by the mention's account, never by the words).

A Teams mention arrives as an entity ``{type: "mention", mentioned: {id, name[, aadObjectId]}, text: "<at>Name</at>"}``
beside the text. Teams' own mentions of users carry the user's channel id (``29:…``) and often no Entra object id,
so the member is then looked up through the connector (the conversation's, or the team's in a channel), which gives
it. Everything here is untrusted and bounded: how many entities are read, the ids' lengths and shapes, the names.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity

from classroom.text import bounded, storable

log = logging.getLogger(__name__)

MAX_ENTITIES = 32  # more than any message names; the rest are not read
MAX_CHANNEL_ID = 256
MAX_AAD_OBJECT_ID = 64
MAX_NAME = 200
MAX_TAG = 300
_AAD_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
# A mention's text in the message: bounded, so a hostile message cannot make the pattern work hard.
_MENTION_TAG = re.compile(r"<at>[^<>]{0,256}</at>", re.IGNORECASE)


@dataclass(frozen=True)
class Mentioned:
    """A person a message mentions: their channel account id, the name Teams showed, their Entra object id when the
    mention carried one."""

    channel_id: str
    name: str
    aad_object_id: str | None


@dataclass(frozen=True)
class Person:
    """A mentioned person, identified: their Entra object id and display name (shown only as literal text)."""

    aad_object_id: str
    name: str


class MentionProblem(Exception):
    """Why the message does not name one person (the words to say)."""


def aad_object_id(value: Any) -> str | None:
    """``value`` if it is shaped like an Entra object id (a GUID, or the Playground's longer test ids)."""
    return value if isinstance(value, str) and _AAD_SHAPE.fullmatch(value) else None


def _mentioned(entity: Any, bot_id: str | None) -> Mentioned | None:
    if isinstance(entity, dict):
        kind, props = entity.get("type"), entity
    else:
        kind, props = getattr(entity, "type", None), getattr(entity, "additional_properties", None) or {}
    if not isinstance(kind, str) or kind.lower() != "mention" or not isinstance(props, dict):
        return None
    account = props.get("mentioned")
    if not isinstance(account, dict):
        return None
    channel_id = account.get("id")
    if not isinstance(channel_id, str) or not 0 < len(channel_id) <= MAX_CHANNEL_ID or channel_id == bot_id:
        return None
    name = account.get("name")
    name = bounded(storable(name).strip(), MAX_NAME) if isinstance(name, str) else ""
    found = aad_object_id(account.get("aadObjectId")) or aad_object_id(account.get("objectId"))
    return Mentioned(storable(channel_id), name, found)


def _mentions(activity: Activity, bot_id: str | None) -> list[tuple[Mentioned, str | None]]:
    """Every well-formed mention of someone other than ``bot_id`` (None: of anyone), with the text it has."""
    found = []
    for entity in list(activity.entities or [])[:MAX_ENTITIES]:
        mentioned = _mentioned(entity, bot_id)
        if mentioned is not None:
            props = entity if isinstance(entity, dict) else getattr(entity, "additional_properties", None) or {}
            tag = props.get("text")
            found.append((mentioned, tag if isinstance(tag, str) and len(tag) <= MAX_TAG else None))
    return found


def remove_bot_mention(activity: Activity) -> str:
    """The message's text without the mentions of the bot (``<at>Classroom</at> courses`` -> ``courses``).

    botbuilder's ``TurnContext.remove_recipient_mention`` raises on a mention entity without ``mentioned`` (the turn
    fails) and reads the name as a regular expression; this reads only well-formed mentions and replaces text.
    """
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    if not bot_id:
        return text
    for mentioned, tag in _mentions(activity, None):
        if mentioned.channel_id == bot_id:
            text = text.replace(tag or f"<at>{mentioned.name}</at>", " ")
    return text.strip()


def people_mentioned(turn_context: TurnContext) -> list[Mentioned]:
    """Everyone the message mentions but the bot, each once, in order."""
    activity = turn_context.activity
    bot_id = activity.recipient.id if activity.recipient else None
    seen: dict[str, Mentioned] = {}
    for mentioned, _tag in _mentions(activity, bot_id):
        seen.setdefault(mentioned.channel_id, mentioned)
    return list(seen.values())


def without_mentions(text: str) -> str:
    """The words of a command with every ``<at>…</at>`` taken out (what is left names a role or a run)."""
    return " ".join(_MENTION_TAG.sub(" ", text).split())


def one_mention(turn_context: TurnContext) -> Mentioned:
    """The one person the message mentions (not yet identified).

    Raises:
        MentionProblem: nobody, or more than one person, is mentioned.
    """
    mentioned = people_mentioned(turn_context)
    if not mentioned:
        raise MentionProblem("Mention the person with @ (type @ and pick them from the list), then the rest.")
    if len(mentioned) > 1:
        raise MentionProblem("Mention one person at a time.")
    return mentioned[0]


async def identify(turn_context: TurnContext, person: Mentioned) -> Person:
    """A mentioned person's Entra object id: from the mention, else from Teams' member record of their account.

    Raises:
        MentionProblem: Teams does not say who they are.
    """
    if person.aad_object_id:
        return Person(person.aad_object_id, person.name)
    try:
        member = await TeamsInfo.get_member(turn_context, person.channel_id)
    except Exception as error:  # a connector failure of any kind means "we can't tell who"
        log.warning("could not look up a mentioned member: %s", str(error)[:200])
        raise MentionProblem("Teams didn't tell me who that is. Mention someone who is in this chat.") from error
    extra = member.additional_properties or {}
    found = aad_object_id(member.aad_object_id) or aad_object_id(extra.get("objectId"))
    if not found:
        raise MentionProblem("That is not someone with a work account I can give a role to.")
    name = member.name if isinstance(member.name, str) and member.name.strip() else person.name
    return Person(found, bounded(storable(name).strip(), MAX_NAME))
