"""The register of one session for its trainers (``attendance RUN N``): each participant's status as measured from
the meeting, to correct with one choice each and Save (``Action.Execute``; who pressed is who is recorded). Names
are shown as literal text; input labels carry no markdown."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.meetings.register import RegisterRow, SessionRegister
from dialogs.cards.base import CardMessage, Element, card, execute, field_row, text
from dialogs.cards.formatting import local_time_range, without_markdown
from dialogs.meetings.cards.summary import _minutes
from dialogs.meetings.parts import CORRECT, STATUS_INPUT_PREFIX, STATUS_WORDS
from storage.models import AttendanceStatus


def _measured(row: RegisterRow) -> str:
    words = f"Measured: {STATUS_WORDS[row.measured].lower()}"
    if row.measured is not AttendanceStatus.ABSENT:
        words += f", {_minutes(int(row.present.total_seconds() // 60))}"
    if row.excused:
        words += " · accepted clash"
    if row.corrected_by:
        words += f" · corrected by {without_markdown(row.corrected_by)}"
    return words


def _choice(row: RegisterRow) -> Element:
    return {
        "type": "Input.ChoiceSet",
        "id": f"{STATUS_INPUT_PREFIX}{row.person_id}",
        "label": without_markdown(row.name) or "(no name)",
        "style": "compact",
        "value": row.status.value,
        "isRequired": True,
        "errorMessage": "Choose a status",
        "choices": [{"title": STATUS_WORDS[s], "value": s.value} for s in AttendanceStatus],
    }


def build_register_card(
    register: SessionRegister, run_code: str, session_count: int, zone: ZoneInfo, *, notice: str | None = None
) -> CardMessage:
    body: list[Element] = [
        text(f"Register · {run_code} · session {register.position} of {session_count}", weight="Bolder"),
        text(local_time_range(register.span.start, register.span.end, zone), subtle=True),
    ]
    if notice:
        body.append(text(notice))
    if not register.rows:
        body.append(text("Nobody holds a place on this run."))
    for row in register.rows:
        body += [_choice(row), text(_measured(row), subtle=True, spacing="None")]
    if register.guests:
        body.append(text("Joined without a place:", spacing="Medium"))
        body += [
            field_row(_minutes(int(g.present.total_seconds() // 60)), g.name or "(no name)") for g in register.guests
        ]
    actions = (
        [execute("Save the register", CORRECT, {"run": run_code, "session": register.position})]
        if register.rows
        else []
    )
    return card(body, actions)
