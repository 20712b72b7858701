"""Cards of the live session: the start card (with prepared polls, and none), the trainer's summary (with guests,
missed and excused people, the longest names), the kind word (absent, partly), the register to correct and the
run's attendance report (with a download link)."""

from __future__ import annotations

from datetime import timedelta

from classroom.meetings.notices import (
    AttendancePart,
    MissedSessionNotice,
    PreparedPart,
    SessionStartedNotice,
    SessionSummaryNotice,
)
from classroom.meetings.presence import Span
from classroom.meetings.register import Guest, RegisterRow, SessionRegister
from classroom.meetings.reports import PersonLine, RunAttendance
from dialogs.meetings.cards.missed import build_missed_card
from dialogs.meetings.cards.register import build_register_card
from dialogs.meetings.cards.report import build_report_card
from dialogs.meetings.cards.started import build_started_card
from dialogs.meetings.cards.summary import build_session_summary_card
from storage.models import AttendanceStatus, PollKind, RunSession
from tests.support.card_samples import CardSample, SampleContext

ATTENDED, PARTLY, ABSENT = AttendanceStatus.ATTENDED, AttendanceStatus.PARTLY, AttendanceStatus.ABSENT
COURSE = "Permanence Planning for Children (Four sessions)"
LONG_NAME = "Alexandra-Josephine " + "Montgomery-Worthington " * 7


def _register(context: SampleContext) -> SessionRegister:
    start = context.now + timedelta(days=7)
    return SessionRegister(
        session_id=31,
        position=2,
        span=Span(start, start + timedelta(hours=5)),
        started_at=start,
        ended_at=start + timedelta(hours=5),
        rows=(
            RegisterRow(1, "aad-alex", "Alex Wilber", ATTENDED, ATTENDED, timedelta(hours=5), False),
            RegisterRow(2, "aad-lynne", "Lynne *Robbins*", ATTENDED, PARTLY, timedelta(hours=2), False, "Zoe R"),
            RegisterRow(3, "aad-bea", "Beatrix Quillfeather", ABSENT, ABSENT, timedelta(0), True),
            RegisterRow(4, "aad-long", LONG_NAME, PARTLY, PARTLY, timedelta(minutes=61), False),
        ),
        guests=(Guest("Megan Bowen", timedelta(hours=5)), Guest("", timedelta(minutes=3))),
    )


async def samples(context: SampleContext) -> list[CardSample]:
    zone, now = context.zone, context.now
    prepared = [
        PreparedPart(
            id=i,
            question=f"Question {i}: which [principle](https://ev.il) first?",
            kind=kind,
            prepared_by_name="Zoe",
            this_run=i < 3,
        )
        for i, kind in enumerate((PollKind.SINGLE_CHOICE, PollKind.RATING, PollKind.CONFIDENCE, PollKind.QUIZ), 1)
    ]
    started = SessionStartedNotice(
        course_title=COURSE,
        run_code="PERM4-A",
        session_position=2,
        session_count=4,
        started_at=now,
        prepared=prepared,
    )
    summary = SessionSummaryNotice(
        course_title=COURSE,
        run_code="PERM4-A",
        session_position=2,
        session_count=4,
        started_at=now,
        ended_at=now + timedelta(hours=5),
        minutes=300,
        participants=[
            AttendancePart(name="Alex Wilber", status=ATTENDED, minutes=300),
            AttendancePart(name="Lynne Robbins", status=PARTLY, minutes=120),
            AttendancePart(name="Beatrix Quillfeather", status=ABSENT, minutes=0, excused=True),
            AttendancePart(name=LONG_NAME, status=ABSENT, minutes=0),
        ],
        guests=[AttendancePart(name="Megan Bowen", status=None, minutes=300)],
        polls_run=["Which principle comes first?", "How confident are you?"],
        reflected=1,
        expected=3,
        share_percent=75,
    )
    missed = MissedSessionNotice(
        course_title=COURSE,
        run_code="PERM4-A",
        session_position=2,
        session_count=4,
        starts_at=now,
        status=ABSENT,
        trainers=["Zoe Rosenfield", "Rebecca Watts"],
    )
    register = _register(context)
    sessions = tuple(
        (RunSession(id=30 + p, run_id=1, position=p, starts_at=now + timedelta(weeks=p), ends_at=now), register)
        for p in (1, 2, 3, 4)
    )
    report = RunAttendance(
        "PERM4-A",
        COURSE,
        sessions,
        (
            PersonLine(1, "Alex Wilber", ((ATTENDED, False),) * 4, True),
            PersonLine(
                3,
                "Beatrix Quillfeather",
                ((ATTENDED, False), (ABSENT, True), (ATTENDED, False), (PARTLY, False)),
                False,
            ),
        ),
        75,
    )
    url = f"https://classroom.example.org/exports/attendance/{'A' * 43}.csv"
    return [
        CardSample("meetings/started", build_started_card.__name__, build_started_card(started, zone)),
        CardSample(
            "meetings/started-none",
            build_started_card.__name__,
            build_started_card(started.model_copy(update={"prepared": []}), zone),
        ),
        CardSample("meetings/summary", build_session_summary_card.__name__, build_session_summary_card(summary, zone)),
        CardSample("meetings/missed", build_missed_card.__name__, build_missed_card(missed, zone)),
        CardSample(
            "meetings/missed-partly",
            build_missed_card.__name__,
            build_missed_card(missed.model_copy(update={"status": PARTLY, "trainers": []}), zone),
        ),
        CardSample(
            "meetings/register",
            build_register_card.__name__,
            build_register_card(register, "PERM4-A", 4, zone, notice="Saved: 1 change."),
        ),
        CardSample(
            "meetings/register-empty",
            build_register_card.__name__,
            build_register_card(SessionRegister(31, 1, register.span, None, None, (), ()), "PERM4-A", 4, zone),
        ),
        CardSample("meetings/report", build_report_card.__name__, build_report_card(report, zone, download_url=url)),
    ]
