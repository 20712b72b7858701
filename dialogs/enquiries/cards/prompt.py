"""The enquiry dialog's questions: the question, what we already have (shown literally), and answer buttons
(``dialogs.cards.answers``: a press reaches the waiting question exactly as if the answer had been typed, and the
card's plain-text fallback shows it as the text to type).
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.cards.answers import answer_button, answer_hint
from dialogs.cards.base import CardMessage, Element, card, text
from dialogs.enquiries.cards.parts import run, runs


def build_prompt_card(
    question: str,
    *,
    current: str | None = None,
    choices: Sequence[tuple[str, str]] = (),
    hint: str | None = None,
    step: str | None = None,
) -> CardMessage:
    """``question`` is ours; ``current`` (a prefilled or earlier answer) is shown exactly as typed."""
    body: list[Element] = []
    if step:
        body.append(text(step, subtle=True))
    body.append(text(question, spacing="None" if step else None))
    actions = [answer_button(title, answer) for title, answer in choices]
    if current is not None:
        body.append(runs(run("We have: ", isSubtle=True), run(current, weight="Bolder")))
        actions.insert(0, answer_button("Keep this", current, style="positive"))
    body.append(answer_hint(hint or "Type **cancel** to stop."))
    return card(body, actions)
