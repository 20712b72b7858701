"""The three Bot Connector calls proactive delivery makes: send, replace a sent message, open a 1:1 chat.

Production passes the app's ``bot.connector.BotConnectorClient`` (one shared aiohttp session, cached tokens),
which satisfies this protocol; naming only what we use keeps the dispatcher easy to test and to port. HTTP
answers come back as a ``ConnectorResponse`` (status, body, Retry-After); only a missing answer raises
(``ConnectorTimeout``, ``ConnectorTransportError``, ``TokenAcquisitionError``).
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.connector import ConnectorResponse


class ProactiveConnector(Protocol):
    async def send_to_conversation(
        self, service_url: str, conversation_id: str, activity: dict[str, Any]
    ) -> ConnectorResponse: ...

    async def update_activity(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> ConnectorResponse: ...

    async def create_conversation(self, service_url: str, parameters: dict[str, Any]) -> ConnectorResponse: ...
