"""Where an outbox row goes: a stored conversation, or a person's 1:1 chat (created when we have none).

A row names either ``conversation_key`` (a chat or channel the bot is installed in) or ``recipient`` (a
person's Entra object id). For a person we use their stored 1:1 chat; failing that we create it, which Teams
allows with the person's object id, the tenant and a service URL, taken from a stored reference of the same
installation. A conversation the bot was removed from is not written to again (``installed`` is false).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.conversations import remember_created_chat
from storage.models import ConversationRecord

# Creating conversations is rate limited like sending (Teams docs); one shared bucket is the safe reading.
CREATE_CONVERSATION_KEY = "create-conversation"


class Unreachable(Exception):
    """No conversation to write to: the bot was removed, or nothing is known about the target."""


@dataclass(frozen=True)
class Target:
    service_url: str
    conversation_id: str | None  # None: the 1:1 chat must be created first
    reference: dict[str, Any]  # the stored Bot Framework conversation reference (JSON)
    stored_conversation_id: str | None  # the stored row to mark "not installed" after a 403/404
    recipient: str | None = None
    tenant_id: str | None = None

    @property
    def limiter_key(self) -> str:
        return self.conversation_id or CREATE_CONVERSATION_KEY


def _target(record: ConversationRecord) -> Target:
    return Target(
        service_url=record.service_url,
        conversation_id=record.conversation_id,
        reference=record.reference or {},
        stored_conversation_id=record.conversation_id,
        tenant_id=record.tenant_id,
    )


Resolution = Target | Unreachable


async def resolve_targets(
    session: AsyncSession, *, conversation_keys: set[str], recipients: set[str]
) -> tuple[dict[str, Resolution], dict[str, Resolution]]:
    """Where each conversation key and each recipient goes, in three queries whatever the batch size.

    Returns ``(by conversation key, by recipient)``; an entry is a ``Target`` or the ``Unreachable`` why not.
    """
    by_key: dict[str, Resolution] = {}
    if conversation_keys:
        records = await session.scalars(
            select(ConversationRecord).where(ConversationRecord.conversation_id.in_(conversation_keys))
        )
        for record in records:
            by_key[record.conversation_id] = (
                _target(record)
                if record.installed
                else Unreachable(f"the bot is no longer installed in conversation {record.conversation_id!r}")
            )
        for key in conversation_keys - set(by_key):
            by_key[key] = Unreachable(f"no stored conversation {key!r}")
    by_recipient: dict[str, Resolution] = {}
    if recipients:
        personal = await session.scalars(
            select(ConversationRecord)
            .where(
                ConversationRecord.user_aad_object_id.in_(recipients),
                ConversationRecord.conversation_type == "personal",
            )
            # An installed chat beats one the person removed the bot from; the freshest of those wins.
            .order_by(ConversationRecord.installed.asc(), ConversationRecord.updated_at.asc())
        )
        for record in personal:
            assert record.user_aad_object_id is not None
            by_recipient[record.user_aad_object_id] = (
                _target(record)
                if record.installed
                else Unreachable(f"person {record.user_aad_object_id} has not added the app, or removed or blocked it")
            )
        strangers = recipients - set(by_recipient)
        if strangers:
            source = await _installation_to_borrow(session)
            for recipient in strangers:
                by_recipient[recipient] = (
                    Unreachable(f"no stored installation to open a 1:1 chat with person {recipient} from")
                    if source is None
                    else _new_chat(source, recipient)
                )
    return by_key, by_recipient


async def _installation_to_borrow(session: AsyncSession) -> ConversationRecord | None:
    # No 1:1 chat yet: borrow service URL, tenant and bot identity from the freshest installation.
    source = await session.scalar(
        select(ConversationRecord)
        .where(ConversationRecord.installed.is_(True), ConversationRecord.tenant_id.is_not(None))
        .order_by(ConversationRecord.updated_at.desc())
        .limit(1)
    )
    return source if source is not None and (source.reference or {}).get("bot") else None


def _new_chat(source: ConversationRecord, recipient: str) -> Target:
    return Target(
        service_url=source.service_url,
        conversation_id=None,
        reference=source.reference,
        stored_conversation_id=None,
        recipient=recipient,
        tenant_id=source.tenant_id,
    )


def create_conversation_parameters(target: Target) -> dict[str, Any]:
    """The body of ``POST /v3/conversations`` for the recipient's 1:1 chat."""
    return {
        "bot": target.reference["bot"],
        "members": [{"id": target.recipient}],
        "isGroup": False,
        "tenantId": target.tenant_id,
        "channelData": {"tenant": {"id": target.tenant_id}},
    }


async def remember_created_conversation(session: AsyncSession, target: Target, conversation_id: str) -> Target:
    """Store the new 1:1 chat, so later notifications go straight to it; returns the addressed target."""
    assert target.recipient is not None
    reference = await remember_created_chat(
        session,
        conversation_id=conversation_id,
        recipient=target.recipient,
        service_url=target.service_url,
        tenant_id=target.tenant_id,
        bot=target.reference["bot"],
        channel_id=target.reference.get("channelId", "msteams"),
    )
    return Target(target.service_url, conversation_id, reference, conversation_id, target.recipient, target.tenant_id)


def address(activity: dict[str, Any], target: Target) -> dict[str, Any]:
    """The activity as sent: in the target conversation, from the bot."""
    addressed = dict(activity)
    addressed["conversation"] = {"id": target.conversation_id}
    bot = target.reference.get("bot")
    if bot:
        addressed.setdefault("from", {"id": bot.get("id"), "name": bot.get("name")})
    return addressed
