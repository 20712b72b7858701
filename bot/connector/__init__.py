"""The fast Bot Connector client: one shared aiohttp session, cached app tokens, plain results.

Public API (see each module for details):

- :func:`create_client_session` — the shared ``aiohttp.ClientSession`` (create at app start, close at stop).
- :class:`BotConnectorClient` — ``send_to_conversation``, ``reply_to_activity``, ``update_activity``,
  ``delete_activity``, ``create_conversation``, ``get_conversation_members``, ``get_conversation_member``,
  ``get_conversation_paged_members``, ``get_team_details``, ``get_meeting_participant``…; each returns a
  :class:`ConnectorResponse` (``status``, parsed ``body``, ``retry_after``, ``ok``, ``id``, ``retryable``,
  ``conversation_unavailable``) and raises only :class:`ConnectorTimeout`, :class:`ConnectorTransportError`
  or :class:`TokenAcquisitionError`. The adapter's instance is ``adapter.connector``.
- :class:`EdgeCredentialsFactory`, :class:`EdgeConnectorFactory`, :class:`SessionHttpClientFactory` —
  botbuilder's extension points, used by ``bot.adapter``.
"""

from bot.connector.client import BotConnectorClient
from bot.connector.credentials import EdgeAppCredentials, EdgeCredentialsFactory
from bot.connector.errors import (
    ConnectorError,
    ConnectorHTTPError,
    ConnectorResponseTooLarge,
    ConnectorTimeout,
    ConnectorTransportError,
    TokenAcquisitionError,
)
from bot.connector.integration import EdgeConnectorFactory, SessionHttpClientFactory, TurnConnectorClient
from bot.connector.response import ConnectorResponse, parse_retry_after
from bot.connector.session import SessionHolder, create_client_session

__all__ = [
    "BotConnectorClient",
    "ConnectorError",
    "ConnectorHTTPError",
    "ConnectorResponse",
    "ConnectorResponseTooLarge",
    "ConnectorTimeout",
    "ConnectorTransportError",
    "EdgeAppCredentials",
    "EdgeConnectorFactory",
    "EdgeCredentialsFactory",
    "SessionHolder",
    "SessionHttpClientFactory",
    "TokenAcquisitionError",
    "TurnConnectorClient",
    "create_client_session",
    "parse_retry_after",
]
