"""What trainers see of a session's reflections: how many reflected, and (from five) how often each outcome was
marked addressed. Never anyone's words: the summary carries none."""

from __future__ import annotations

from classroom.reflection.summary import MIN_GROUP
from classroom.reflection.views import SessionReflectionSummary
from dialogs.cards.base import CardMessage, Element, card, facts, heading, text


def build_summary_card(summary: SessionReflectionSummary) -> CardMessage:
    body: list[Element] = [
        heading(
            f"Reflections after session {summary.session_position} of {summary.session_count} of {summary.run_code}",
            size="Medium",
        ),
        text(f"**{summary.reflected} of {summary.expected} reflected**"),
    ]
    if summary.outcome_counts is None:
        body.append(
            text(
                f"How often each outcome was marked addressed is shown once at least {MIN_GROUP} people have "
                "reflected, so nobody's answers can be singled out.",
                subtle=True,
            )
        )
    else:
        body.append(text("Marked as addressed by this session:", weight="Bolder"))
        body.append(facts([(outcome, f"{count} of {summary.reflected}") for outcome, count in summary.outcome_counts]))
    body.append(text("Reflections are private: only their authors can read them.", subtle=True))
    return card(body)
