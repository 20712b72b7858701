"""Why an inbound request was not let in."""

from __future__ import annotations


class AuthenticationError(PermissionError):
    """The request's token is missing or invalid: answer 401 and process nothing.

    A ``PermissionError``, which is what botbuilder's own validation raises for the cases it recognises.
    ``reason`` is safe to log (it never contains the token).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownSigningKey(AuthenticationError):
    """The token names a signing key that is not in the identity provider's key set, even after a refresh."""


class KeySetUnavailable(Exception):
    """The signing keys could not be downloaded and none are cached: nothing can be verified (answer 503).

    Not an ``AuthenticationError``: the token may well be valid, and Teams retries a 503.
    """
