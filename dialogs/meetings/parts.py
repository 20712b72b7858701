"""The meetings feature's command and button names, and reading a register correction from a card's inputs."""

from __future__ import annotations

from typing import Any

from storage.models import AttendanceStatus

ATTENDANCE_COMMAND = "attendance"
CORRECT = "meetings.correct"
STATUS_INPUT_PREFIX = "status-"
MAX_CORRECTIONS = 500  # a register longer than any run's capacity is no register

STATUS_WORDS = {
    AttendanceStatus.ATTENDED: "Attended",
    AttendanceStatus.PARTLY: "Partly",
    AttendanceStatus.ABSENT: "Absent",
}


def statuses_from_inputs(data: dict[str, Any]) -> dict[int, AttendanceStatus] | None:
    """``status-<person id>`` inputs to statuses; None when any is malformed (card data is untrusted)."""
    found: dict[int, AttendanceStatus] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key.startswith(STATUS_INPUT_PREFIX):
            continue
        digits = key[len(STATUS_INPUT_PREFIX) :]
        if not digits.isdigit() or len(digits) > 12 or not isinstance(value, str):
            return None
        try:
            found[int(digits)] = AttendanceStatus(value)
        except ValueError:
            return None
        if len(found) > MAX_CORRECTIONS:
            return None
    return found
