"""Links people open in a browser: a CSV of poll answers (served by the host under ``EXPORT_PATH_PREFIX``)."""

from __future__ import annotations

EXPORT_PATH_PREFIX = "/exports/polls/"


def export_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{EXPORT_PATH_PREFIX}{token}.csv"
