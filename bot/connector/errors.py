"""What the connector raises. HTTP answers are never exceptions in the public client; these are for the cases
where there is no HTTP answer to return (timeouts, broken connections, no access token), plus the one error
type the botbuilder-facing shim raises because botbuilder's callers expect an exception for non-2xx answers.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import ErrorResponse
from botframework.connector.models import ErrorResponseException
from msrest.exceptions import ClientException

from bot.connector.response import ConnectorResponse
from bot.connector.serialization import from_wire


class ConnectorError(Exception):
    """Base class of everything ``bot.connector`` raises."""


class ConnectorTransportError(ConnectorError):
    """No HTTP answer: the connection was refused, reset or failed TLS. Usually worth retrying later."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class ConnectorTimeout(ConnectorTransportError):
    """No complete HTTP answer within the client's timeout. The request may or may not have taken effect."""


class ConnectorResponseTooLarge(ConnectorError):
    """The answer was longer than the caller allows (``max_body_bytes``): it was not read whole, nor parsed."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class TokenAcquisitionError(ConnectorError):
    """The identity provider did not issue an access token, so nothing was sent.

    Attributes:
        status: the token endpoint's HTTP status, or None when it could not be reached.
        error: the OAuth ``error`` code (``invalid_client``, ...) when the endpoint sent one.
        retryable: True for transport failures, timeouts, 429 and 5xx; False for rejected credentials.
    """

    def __init__(
        self, message: str, *, status: int | None = None, error: str | None = None, retryable: bool = True
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.retryable = retryable


class ConnectorHTTPError(ErrorResponseException, ConnectorError):
    """A non-2xx answer, raised only on botbuilder's code paths (``send_activity``, ``TeamsInfo``...).

    It is an ``ErrorResponseException`` like the stock client's, with ``.error`` parsed from the body, so
    botbuilder code that inspects ``ex.error.error.code`` (``TeamsActivityHandler`` does) keeps working.
    ``.response`` is the full :class:`~bot.connector.response.ConnectorResponse` (status, body, Retry-After).
    """

    def __init__(self, response: ConnectorResponse) -> None:
        self.response: Any = response
        self.status = response.status
        self.retry_after = response.retry_after
        self.error = _error_model(response.body)
        code, text = response.error_code, response.error_message
        self.message = f"{response.method} {response.url} -> {response.status}" + (
            f" ({code}) {text}" if code or text else ""
        )
        # Not ErrorResponseException.__init__, which wants msrest's deserializer and an HTTP response.
        ClientException.__init__(self, self.message)

    def __str__(self) -> str:
        return self.message


def _error_model(body: Any) -> ErrorResponse | None:
    if not isinstance(body, dict):
        return None
    try:
        return from_wire("ErrorResponse", body)
    except Exception:  # noqa: BLE001 - a malformed error body must not hide the HTTP status
        return None
