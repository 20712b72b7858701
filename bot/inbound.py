"""The one gate every inbound activity passes: parsed, checked, normalised and bounded before anything reads it.

Teams sends well-formed activities, but nothing else on the way is trusted to: a body nested a thousand levels
deep, an activity without a conversation, a ``channelData`` that is a string, NUL or a lone surrogate in a
name, an id longer than the column it is stored in. Each used to surface deep inside botbuilder or the database
as a traceback (and, on PostgreSQL only, as "something went wrong"). Here:

- every string anywhere in the body loses NUL and lone surrogates and is put in Unicode NFC
  (``classroom.text.storable``), so what is stored and compared is the same on SQLite and PostgreSQL;
- the body may nest at most ``MAX_DEPTH`` levels (botbuilder copies activities recursively);
- the fields the bot relies on must be there with the right types (``conversation.id``, ``from.id``,
  ``recipient.id``, ``serviceUrl``, ``channelId``, an object for ``channelData`` ...), and ids may not be longer
  than the columns that store them: such an activity is refused with :class:`MalformedActivity` (HTTP 400);
- display names and free text, which people choose, are cut to what their columns hold instead (Entra allows
  256-character display names; ``people.name`` holds 200).

The common case costs little: a body that is ASCII without ``\\u`` escapes and with few brackets has nothing to
clean and cannot nest deeply, so only the named fields are checked.
"""

from __future__ import annotations

import re
from typing import Any

from classroom.text import bounded, storable
from storage import json_text
from storage.models import ConversationRecord, OutboxNotification, Person

MAX_DEPTH = 64
MAX_TEXT = 28_000  # Teams' own limit for a message's text is about 28 KB
MAX_USER_ID = 256  # Teams' channel user ids ("29:...") are about 100 characters


def _length(column: Any) -> int:
    """How many characters a ``String(n)`` column holds."""
    length = column.type.length
    assert isinstance(length, int)
    return length


MAX_ACTIVITY_ID = _length(OutboxNotification.activity_id)
MAX_CONVERSATION_ID = _length(ConversationRecord.conversation_id)
MAX_TEAM_ID = _length(ConversationRecord.team_id)
MAX_TENANT_ID = _length(ConversationRecord.tenant_id)
MAX_SERVICE_URL = _length(ConversationRecord.service_url)
MAX_CHAT_NAME = _length(ConversationRecord.name)
MAX_AAD_OBJECT_ID = _length(Person.aad_object_id)
MAX_PERSON_NAME = _length(Person.name)
MAX_KEYWORD = 128  # type, channelId, name of an invoke, action, eventType, conversationType, ...
CONVERSATION_TYPES = frozenset({"personal", "groupChat", "channel"})
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")


class MalformedActivity(ValueError):
    """A body that is not an activity the bot can take; ``str(error)`` says why, for the 400 answer and the log."""


def read_activity(raw: bytes) -> dict[str, Any]:
    """The activity in ``raw`` (a request body), cleaned and checked; raises :class:`MalformedActivity`."""
    try:
        body = json_text.loads(raw)
    except RecursionError:
        raise MalformedActivity(f"the body nests more than {MAX_DEPTH} levels") from None
    except ValueError:  # UnicodeDecodeError included
        raise MalformedActivity("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise MalformedActivity("the body must be a JSON object (an activity)")
    if not (raw.isascii() and b"\\u" not in raw):
        body = _clean_tree(body, 0)
    elif raw.count(b"{") + raw.count(b"[") > MAX_DEPTH:
        _check_depth(body, 0)
    _check_activity(body)
    return body


# -- every value ------------------------------------------------------------------------------------------------


def _clean_tree(node: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise MalformedActivity(f"the body nests more than {MAX_DEPTH} levels")
    kind = type(node)
    if kind is str:
        return storable(node)
    if kind is dict:
        return {storable(key): _clean_tree(value, depth + 1) for key, value in node.items()}
    if kind is list:
        return [_clean_tree(item, depth + 1) for item in node]
    return node


def _check_depth(node: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise MalformedActivity(f"the body nests more than {MAX_DEPTH} levels")
    if type(node) is dict:
        for value in node.values():
            _check_depth(value, depth + 1)
    elif type(node) is list:
        for item in node:
            _check_depth(item, depth + 1)


# -- the fields the bot relies on ---------------------------------------------------------------------------------


def _check_activity(body: dict[str, Any]) -> None:
    _id(body, "type", MAX_KEYWORD, where="the activity", required=True)
    _id(body, "id", MAX_ACTIVITY_ID, where="the activity")
    _id(body, "replyToId", MAX_ACTIVITY_ID, where="the activity")
    _id(body, "channelId", MAX_KEYWORD, where="the activity", required=True)
    for keyword in ("name", "action", "textFormat", "locale"):
        _id(body, keyword, MAX_KEYWORD, where="the activity")
    _service_url(body)
    _free_text(body, "text", MAX_TEXT, where="the activity")
    _conversation(_required_object(body, "conversation"))
    _account(_required_object(body, "from"), "from")
    _account(_required_object(body, "recipient"), "recipient")
    # Teams' conversation updates always carry channelData, and botbuilder's Teams handler reads it unchecked.
    required = body["type"] == "conversationUpdate"
    channel_data = _object(body, "channelData", where="the activity", required=required)
    if channel_data is not None:
        _channel_data(channel_data)
    for key in ("membersAdded", "membersRemoved"):
        for member in _objects(body, key):
            _account(member, key)
    for entity in _objects(body, "entities"):
        kind = _id(entity, "type", MAX_KEYWORD, where="an entity", required=True)
        if kind == "mention":  # botbuilder reads mention["mentioned"]["id"] unchecked when it strips @bot
            mentioned = _object(entity, "mentioned", where="a mention", required=True)
            assert mentioned is not None
            _account(mentioned, "a mention")
            _free_text(entity, "text", MAX_TEXT, where="a mention")
    for attachment in _objects(body, "attachments"):
        _id(attachment, "contentType", MAX_KEYWORD, where="an attachment", required=True)


def _conversation(conversation: dict[str, Any]) -> None:
    _id(conversation, "id", MAX_CONVERSATION_ID, where="conversation", required=True)
    _id(conversation, "tenantId", MAX_TENANT_ID, where="conversation")
    _free_text(conversation, "name", MAX_CHAT_NAME, where="conversation")
    kind = _id(conversation, "conversationType", MAX_KEYWORD, where="conversation")
    if kind is not None and kind not in CONVERSATION_TYPES:
        raise MalformedActivity(f"conversation.conversationType must be one of {', '.join(sorted(CONVERSATION_TYPES))}")
    is_group = conversation.get("isGroup")
    if is_group is not None and type(is_group) is not bool:
        raise MalformedActivity("conversation.isGroup must be true or false")
    if kind is None and is_group:
        raise MalformedActivity("a group conversation must say its conversationType")


def _account(account: dict[str, Any], where: str) -> None:
    _id(account, "id", MAX_USER_ID, where=where, required=True)
    _id(account, "aadObjectId", MAX_AAD_OBJECT_ID, where=where)
    _id(account, "role", MAX_KEYWORD, where=where)
    _free_text(account, "name", MAX_PERSON_NAME, where=where)


def _channel_data(channel_data: dict[str, Any]) -> None:
    where = "channelData"
    tenant = _object(channel_data, "tenant", where=where)
    if tenant is not None:
        _id(tenant, "id", MAX_TENANT_ID, where="channelData.tenant")
    for key in ("team", "channel"):
        part = _object(channel_data, key, where=where)
        if part is not None:
            _id(part, "id", MAX_TEAM_ID, where=f"channelData.{key}", required=True)
            _id(part, "aadGroupId", MAX_AAD_OBJECT_ID, where=f"channelData.{key}")
            _free_text(part, "name", MAX_CHAT_NAME, where=f"channelData.{key}")
    for key in ("source", "settings", "meeting", "notification"):
        _object(channel_data, key, where=where)
    _id(channel_data, "eventType", MAX_KEYWORD, where=where)


def _object(parent: dict[str, Any], key: str, *, where: str, required: bool = False) -> dict[str, Any] | None:
    value = parent.get(key)
    if value is None:
        if required:
            raise MalformedActivity(f"{where} has no {key}")
        return None
    if type(value) is not dict:
        raise MalformedActivity(f"{where}: {key} must be an object")
    return value


def _required_object(body: dict[str, Any], key: str) -> dict[str, Any]:
    found = _object(body, key, where="the activity", required=True)
    assert found is not None
    return found


def _objects(parent: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = parent.get(key)
    if value is None:
        return []
    if type(value) is not list or any(type(item) is not dict for item in value):
        raise MalformedActivity(f"the activity's {key} must be a list of objects")
    return value


def _id(parent: dict[str, Any], key: str, limit: int, *, where: str, required: bool = False) -> str | None:
    """An identifier or keyword: a string of at most ``limit`` characters, never cut (a cut id names another)."""
    value = parent.get(key)
    if value is None or (value == "" and not required):
        if required:
            raise MalformedActivity(f"{where} has no {key}")
        return None
    if type(value) is not str:
        raise MalformedActivity(f"{where}: {key} must be a string")
    if not value:
        raise MalformedActivity(f"{where}: {key} is empty")
    if len(value) > limit:
        raise MalformedActivity(f"{where}: {key} is longer than {limit} characters")
    return value


def _free_text(parent: dict[str, Any], key: str, limit: int, *, where: str) -> None:
    """A name or text someone chose: a string, cut to ``limit`` characters."""
    value = parent.get(key)
    if value is None:
        return
    if type(value) is not str:
        raise MalformedActivity(f"{where}: {key} must be a string")
    if len(value) > limit:
        parent[key] = bounded(value, limit)


def _service_url(body: dict[str, Any]) -> None:
    url = _id(body, "serviceUrl", MAX_SERVICE_URL, where="the activity", required=True)
    if url is not None and not url.startswith(("https://", "http://")):
        raise MalformedActivity("the activity's serviceUrl must be an http(s) URL")
    # Spaces or control characters in it would break the request line of every reply.
    if url is not None and _NOT_IN_URL.search(url):
        raise MalformedActivity("the activity's serviceUrl must be an http(s) URL")
