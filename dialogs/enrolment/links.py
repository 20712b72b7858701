"""Links people open in a browser: "Add to calendar" (served by the host under ``CALENDAR_PATH_PREFIX``)."""

from __future__ import annotations

CALENDAR_PATH_PREFIX = "/calendar/"


def calendar_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{CALENDAR_PATH_PREFIX}{token}.ics"
