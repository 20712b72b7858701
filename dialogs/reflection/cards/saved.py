"""What the person sees after finishing or skipping a reflection (their own view only)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.reflection.views import PromptView
from dialogs.cards.base import CardMessage, card, execute, heading, submit, text
from dialogs.reflection.parts import COMMAND, OPEN


def _reopen(view: PromptView, title: str) -> dict[str, object]:
    prompt = view.prompt
    args = f"open {prompt.enrolment_id} {prompt.session_id}"
    return execute(
        title,
        OPEN,
        {"enrolment": prompt.enrolment_id, "session": prompt.session_id, "mode": "open"},
        fallback=submit(title, COMMAND, args),
    )


def build_saved_card(view: PromptView, zone: ZoneInfo) -> CardMessage:
    peer = bool(view.state.answers.get("peer"))
    lines = "It's in your CPD log as a course entry, with the date, hours and your answers under the form's headings."
    if peer:
        lines += " It includes a peer reflection, which Social Work England asks for at least once a year."
    return card(
        [heading(f"Saved: your reflection on {view.prompt.course_title}", size="Medium"), text(lines)],
        [submit("My CPD log", "my cpd"), _reopen(view, "Edit my answers")],
    )


def build_skipped_card(view: PromptView) -> CardMessage:
    return card(
        [
            heading("Skipped", size="Medium"),
            text(f"No reminder will follow about this session of {view.prompt.course_title}."),
        ],
        [_reopen(view, "Reflect after all")],
    )
