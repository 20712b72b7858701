"""The periodic job of polls: close those whose time is up, once a minute across all replicas (the period is
claimed in the database, see ``classroom.periodic``; ``close`` also locks each poll, so it closes once)."""

from __future__ import annotations

CLOSING_JOB = "polls-closing"  # never rename: the database guards each period by this name
CLOSING_CRON = "* * * * *"  # every minute: a poll closes within a minute of its time
