"""Links people open in a browser: a run's attendance as CSV (served by the host under ``EXPORT_PATH_PREFIX``)."""

from __future__ import annotations

EXPORT_PATH_PREFIX = "/exports/attendance/"
EXPORT_LINKS_JOB = "meetings-export-links-purge"  # never rename: the database guards each period by this name
EXPORT_LINKS_CRON = "37 * * * *"  # hourly: expired links are already refused; this only tidies their rows
STALE_SESSIONS_JOB = "meetings-stale-sessions"  # never rename: the database guards each period by this name
STALE_SESSIONS_CRON = "*/10 * * * *"  # a session whose end event was lost is closed within ten minutes of LATE


def export_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{EXPORT_PATH_PREFIX}{token}.csv"
