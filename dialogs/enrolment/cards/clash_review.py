"""For the trainers: a participant cannot attend one session; accept or decline. For the participant: the
decision.

The review card's Accept and Decline are ``Action.Execute`` buttons (falling back to the ``clash`` command), and
whoever presses them is checked again. Once the clash is settled every reviewer's copy shows the decided state
(who decided what, that it was withdrawn, or that the session moved away from the clash so nothing is left to
decide) with no buttons left to decide with.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.notices import ClashDecisionNotice, ClashReviewNotice, ReviewOutcome
from dialogs.cards.base import (
    CardMessage,
    Element,
    card,
    container,
    execute,
    facts,
    field_row,
    heading,
    literal,
    open_url,
    submit,
    text,
)
from dialogs.cards.formatting import local_time_range, short_time
from dialogs.enrolment.cards.parts import session_facts

CLASH_ACCEPT, CLASH_DECLINE = "enrolment.clash.accept", "enrolment.clash.decline"


def _decision_button(title: str, verb: str, notice: ClashReviewNotice, style: str) -> Element:
    command = submit(title, "clash", f"{title.lower()} {notice.enrolment_id}", style=style)
    return execute(
        title, verb, {"enrolment": notice.enrolment_id, "round": notice.round}, style=style, fallback=command
    )


def _outcome(outcome: ReviewOutcome, zone: ZoneInfo) -> Element:
    """'Accepted by Zoe Rosenfield · Mon 23 Nov 2026, 09:05 GMT' (the name, from Teams, shown literally)."""
    words = {
        "accepted": "Accepted",
        "declined": "Declined",
        "withdrawn": "Withdrawn by the participant",
        "cleared": "No decision needed",
    }
    inlines: list[Element] = [{"type": "TextRun", "text": words[outcome.decision], "weight": "Bolder"}]
    if outcome.by and outcome.decision in ("accepted", "declined"):
        inlines += [{"type": "TextRun", "text": " by "}, {"type": "TextRun", "text": outcome.by, "weight": "Bolder"}]
    if outcome.decision == "cleared" and outcome.moved_to is not None:
        moved_to = local_time_range(outcome.moved_to.starts_at, outcome.moved_to.ends_at, zone)
        inlines.append(
            {
                "type": "TextRun",
                "text": f": the session moved to {moved_to}, so the clash no longer applies and their place is "
                "confirmed",
            }
        )
    inlines.append({"type": "TextRun", "text": f" · {short_time(outcome.at, zone)}", "isSubtle": True})
    return {"type": "RichTextBlock", "spacing": "Medium", "inlines": inlines}


def build_clash_review_card(notice: ClashReviewNotice, zone: ZoneInfo, *, note: str | None = None) -> CardMessage:
    """The review as it stands; ``note`` (only in the answer to the person who pressed) says what just happened."""
    run, session = notice.run, notice.clash_session
    outcome = notice.outcome
    status = "to review" if outcome is None else "cleared" if outcome.decision == "cleared" else "reviewed"
    body: list[Element] = []
    if note:
        body.append(container([text(note, weight="Bolder")], style="accent"))
    body += [
        heading(f"Clash {status}: {run.course_title}", size="Medium"),
        # Names come from Teams profiles: shown literally, never as markdown, to the trainers who review.
        field_row("Participant", notice.participant_name),
        field_row("Organisation", notice.organisation_name or "not known"),
        facts(
            [
                ("Run", run.run_code),
                (
                    f"Session {session.position} of {session.count}",
                    local_time_range(session.starts_at, session.ends_at, zone),
                ),
            ]
        ),
        text("They say:"),
        literal(notice.reason),
    ]
    roster = submit("Roster", "roster", run.run_code)
    if outcome is not None:
        return card([*body, _outcome(outcome, zone)], [roster])
    body.append(
        text(
            "Accept if they can still complete the course while missing this session; decline and their place "
            "goes to the next person waiting. Their place is held until you decide.",
            subtle=True,
        )
    )
    return card(
        body,
        [
            _decision_button("Accept", CLASH_ACCEPT, notice, "positive"),
            _decision_button("Decline", CLASH_DECLINE, notice, "destructive"),
            roster,
        ],
    )


def build_clash_decision_card(notice: ClashDecisionNotice, zone: ZoneInfo) -> CardMessage:
    run = notice.run
    missed = notice.clash_session.position if notice.clash_session else None
    if notice.accepted:
        body: list[Element] = [
            heading(f"You're enrolled: {run.course_title}", size="Medium"),
            text(f"The trainers accepted your clash, so your place on **{run.run_code}** is confirmed."),
            session_facts(notice.sessions, zone, missed_position=missed),
            text('Type **my courses** for an "Add to calendar" link. I\'ll remind you before each session.'),
        ]
        actions = [submit("My courses", "my courses")]
        if run.join_url:
            actions.insert(0, open_url("Join link", run.join_url))
        return card(body, actions)
    missing = f"missing session {missed}" if missed else "the clash"
    return card(
        [
            heading(f"No place this time: {run.course_title}", size="Medium"),
            text(
                f"The trainers could not accept {missing} of {run.run_code}, because the course needs every "
                "session. Your place has been released. Other dates may suit you better."
            ),
        ],
        [submit("Other dates", "course", run.course_code)],
    )
