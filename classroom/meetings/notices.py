"""What the meetings feature puts in the outbox: the card in the meeting chat when a session starts (with the run's
prepared polls ready to launch), the session summary to each trainer's 1:1 chat when it ends, and a kind word to a
participant who missed (part of) a session. Each is keyed for good, so a replayed event sends nothing twice."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from classroom.outbox import Notice, NoticePart
from storage.models import AttendanceStatus, PollKind

STARTED = "meetings.started"
SUMMARY = "meetings.summary"
MISSED = "meetings.missed"


class PreparedPart(NoticePart):
    id: int
    question: str
    kind: PollKind
    prepared_by_name: str
    this_run: bool


class SessionStartedNotice(Notice):
    KIND: ClassVar[str] = STARTED
    course_title: str
    run_code: str
    session_position: int
    session_count: int
    started_at: datetime
    prepared: list[PreparedPart]


class AttendancePart(NoticePart):
    name: str
    status: AttendanceStatus | None  # None: a guest (not enrolled)
    minutes: int
    excused: bool = False


class SessionSummaryNotice(Notice):
    """To a trainer: who attended (and who missed without an accepted clash), the polls run, reflections so far."""

    KIND: ClassVar[str] = SUMMARY
    course_title: str
    run_code: str
    session_position: int
    session_count: int
    started_at: datetime
    ended_at: datetime
    minutes: int
    participants: list[AttendancePart]
    guests: list[AttendancePart]
    polls_run: list[str]
    reflected: int
    expected: int
    share_percent: int


class MissedSessionNotice(Notice):
    """To a participant who was absent or there for only part of a session, with no accepted clash for it."""

    KIND: ClassVar[str] = MISSED
    course_title: str
    run_code: str
    session_position: int
    session_count: int
    starts_at: datetime
    status: AttendanceStatus
    trainers: list[str]


def started_key(session_id: int) -> str:
    return f"meetings:{session_id}:started"


def summary_key(session_id: int, person_id: int) -> str:
    return f"meetings:{session_id}:summary:{person_id}"


def missed_key(session_id: int, person_id: int) -> str:
    return f"meetings:{session_id}:missed:{person_id}"
