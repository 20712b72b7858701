"""Notices of any kind and payload, for tests of the outbox machinery that do not care what a message says."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from classroom.outbox import Notice


def notice_of(kind: str, payload: dict[str, Any]) -> Notice:
    """A notice of ``kind`` whose payload is exactly ``payload``."""
    raw = type(f"Raw_{kind}", (Notice,), {"KIND": kind, "model_config": ConfigDict(frozen=True, extra="allow")})
    return raw(**payload)
