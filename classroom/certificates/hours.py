"""Hours on a certificate: the real length of each session attended, from its UTC start and end, so a session
across a change of the clocks counts the time that passed, not the difference of the wall-clock times."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def minutes_of(sessions: Iterable[tuple[datetime, datetime]]) -> int:
    return sum(max(int((end - start).total_seconds() // 60), 0) for start, end in sessions)
