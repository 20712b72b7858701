"""For the trainers: a participant cannot attend some sessions; accept or decline. For the participant: the
decision.

The review card's Accept and Decline are ``Action.Execute`` buttons (falling back to the ``clash`` command), and
whoever presses them is checked again. Once the clash is settled every reviewer's copy shows the decided state
(who decided what, that it was withdrawn, or that its sessions moved away so nothing is left to decide) with no
buttons left to decide with. A move of one of its sessions takes that session out of the clash: the card says
which moved and where to, names the sessions left and, while the review waits, still asks about those.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.notices import ClashDecisionNotice, ClashReviewNotice, ReviewOutcome, SessionMovePart
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
    submit,
    text,
)
from dialogs.cards.formatting import local_time_range, short_time
from dialogs.enrolment.cards.parts import join_button, session_facts, session_label, sessions_words

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
    if outcome.decision == "cleared":
        inlines.append({"type": "TextRun", "text": ": their place is confirmed"})
    inlines.append({"type": "TextRun", "text": f" · {short_time(outcome.at, zone)}", "isSubtle": True})
    return {"type": "RichTextBlock", "spacing": "Medium", "inlines": inlines}


def _moved(move: SessionMovePart, notice: ClashReviewNotice, zone: ZoneInfo) -> Element:
    """Which session of the clash moved, and what that leaves."""
    old, new = move.old, move.new
    label = session_label(old.position, old.count)
    moved = (
        f"{label} moved from {local_time_range(old.starts_at, old.ends_at, zone)} to "
        f"{local_time_range(new.starts_at, new.ends_at, zone)}"
    )
    outcome = notice.outcome
    if outcome is not None and outcome.decision == "cleared":
        return text(f"{moved}, so the clash no longer applies.")
    left = {s.position for s in notice.clash_sessions}
    if not left:
        return text(f"{moved}, so they are expected there: they now attend every session.")
    if outcome is not None:
        return text(f"{moved}, so they are expected there; they still miss {sessions_words(left)}.")
    needs = "needs" if len(left) == 1 else "need"
    return text(f"{moved}, so they are expected there; only {sessions_words(left)} still {needs} a decision.")


def build_clash_review_card(notice: ClashReviewNotice, zone: ZoneInfo, *, note: str | None = None) -> CardMessage:
    """The review as it stands; ``note`` (only in the answer to the person who pressed) says what just happened."""
    run, sessions, outcome = notice.run, notice.clash_sessions, notice.outcome
    status = "to review" if outcome is None else "cleared" if outcome.decision == "cleared" else "reviewed"
    these = "this session" if len(sessions) == 1 else "these sessions"
    body: list[Element] = []
    if note:
        body.append(container([text(note, weight="Bolder")], style="accent"))
    body += [
        heading(f"Clash {status}: {run.course_title}", size="Medium"),
        # Names come from Teams profiles: shown literally, never as markdown, to the trainers who review.
        field_row("Participant", notice.participant_name),
        field_row("Organisation", notice.organisation_name or "not known"),
        facts([("Run", run.run_code)]),
    ]
    if notice.moved is not None:
        body.append(_moved(notice.moved, notice, zone))
    if sessions:
        body += [
            text(f"They cannot attend {these}:"),
            session_facts(sessions, zone, count=sessions[0].count),
        ]
    if notice.reason:
        body += [text("They say:"), literal(notice.reason)]
    roster = submit("Roster", "roster", run.run_code)
    if outcome is not None:
        return card([*body, _outcome(outcome, zone)], [roster])
    body.append(
        text(
            f"Accept if they can still complete the course while missing {these}; decline and their place "
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
    missed = {s.position for s in notice.clash_sessions}
    if notice.accepted:
        why = (
            "The session you couldn't attend was taken off the course's dates"
            if notice.cleared
            else "The trainers accepted your clash"
        )
        body: list[Element] = [
            heading(f"You're enrolled: {run.course_title}", size="Medium"),
            text(f"{why}, so your place on **{run.run_code}** is confirmed."),
            session_facts(notice.sessions, zone, missed=missed),
            text('Type **my courses** for an "Add to calendar" link. I\'ll remind you before each session.'),
        ]
        actions = [submit("My courses", "my courses")]
        if run.join_url:
            actions.insert(0, join_button(run.join_url))
        return card(body, actions)
    missing = f"missing {sessions_words(missed)}" if missed else "the clash"
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
