"""Links people open in a browser: a certificate's PDF (served by the host under ``CERTIFICATE_PATH_PREFIX``)."""

from __future__ import annotations

CERTIFICATE_PATH_PREFIX = "/certificates/"


def certificate_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{CERTIFICATE_PATH_PREFIX}{token}.pdf"
