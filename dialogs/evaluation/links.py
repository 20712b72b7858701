"""Links people open in a browser: a run's evaluation report as CSV (served by the host under
``EXPORT_PATH_PREFIX``)."""

from __future__ import annotations

EXPORT_PATH_PREFIX = "/exports/evaluation/"


def export_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{EXPORT_PATH_PREFIX}{token}.csv"
