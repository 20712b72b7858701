"""For the trainers: a participant cannot attend some sessions; accept or decline. For the participant: the
decision. The buttons are commands that check again who is pressing them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.notices import ClashDecisionNotice, ClashReviewNotice
from dialogs.cards.base import CardMessage, Element, card, facts, field_row, heading, literal, submit, text
from dialogs.enrolment.cards.parts import join_button, session_facts, sessions_words


def build_clash_review_card(notice: ClashReviewNotice, zone: ZoneInfo) -> CardMessage:
    run, sessions = notice.run, notice.clash_sessions
    these = "this session" if len(sessions) == 1 else "these sessions"
    body: list[Element] = [
        heading(f"Clash to review: {run.course_title}", size="Medium"),
        # Names come from Teams profiles: shown literally, never as markdown, to the trainers who review.
        field_row("Participant", notice.participant_name),
        field_row("Organisation", notice.organisation_name or "not known"),
        facts([("Run", run.run_code)]),
        text(f"They cannot attend {these}:"),
        session_facts(sessions, zone, count=sessions[0].count if sessions else None),
        text("They say:"),
        literal(notice.reason),
        text(
            f"Accept if they can still complete the course while missing {these}; decline and their place "
            "goes to the next person waiting. Their place is held until you decide.",
            subtle=True,
        ),
    ]
    return card(
        body,
        [
            submit("Accept", "clash", f"accept {notice.enrolment_id}", style="positive"),
            submit("Decline", "clash", f"decline {notice.enrolment_id}", style="destructive"),
            submit("Roster", "roster", run.run_code),
        ],
    )


def build_clash_decision_card(notice: ClashDecisionNotice, zone: ZoneInfo) -> CardMessage:
    run = notice.run
    missed = {s.position for s in notice.clash_sessions}
    if notice.accepted:
        body: list[Element] = [
            heading(f"You're enrolled: {run.course_title}", size="Medium"),
            text(f"The trainers accepted your clash, so your place on **{run.run_code}** is confirmed."),
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
