"""What we keep of a conversation so the bot can write there later."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from classroom.conversations import ConversationInfo


def tenant_id(activity: Activity) -> str | None:
    # CloudAdapter drops conversation.tenantId (it expects tenantID), so read channelData.tenant.id.
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant") or {}
    return tenant.get("id") or (activity.conversation.tenant_id if activity.conversation else None)


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's id is '<channel>;messageid=<post>': the channel is what we can post to again."""
    return conversation_id.split(";messageid=", 1)[0]


def conversation_info(activity: Activity) -> ConversationInfo:
    # Serialise first: the reference shares objects with the live activity, which must stay untouched.
    reference = TurnContext.get_conversation_reference(activity).serialize()
    conversation_id = base_conversation_id(activity.conversation.id)
    reference["conversation"]["id"] = conversation_id
    if tenant_id(activity):
        reference["conversation"]["tenantId"] = tenant_id(activity)
    kind = activity.conversation.conversation_type or "personal"
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = channel_data.get("team") or {}
    sender = activity.from_property
    return ConversationInfo(
        conversation_id=conversation_id,
        conversation_type=kind,
        service_url=activity.service_url,
        reference=reference,
        tenant_id=tenant_id(activity),
        user_aad_object_id=sender.aad_object_id if sender and kind == "personal" else None,
        team_id=team.get("id"),
        name=team.get("name") or activity.conversation.name,
    )
