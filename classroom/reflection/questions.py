"""The questions of a reflection prompt. Each maps onto a field of Social Work England's CPD form, so a finished
reflection is a CPD entry with no more typing. The default set follows Rolfe's "What? So what? Now what?" with
Gibbs' feelings step; a course may word them its own way (keeping the keys)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

MAX_ANSWER_LENGTH = 2000  # per answer: a chat-sized reflection, and well inside Teams' message size


@dataclass(frozen=True)
class Question:
    key: str  # stable: the CPD field it fills
    label: str
    required: bool = True
    placeholder: str = ""


# key -> the CPD form's field it fills
COVERED, LEARNT, IMPACT, TRY_FIRST, PEER, FEELING = "covered", "learnt", "impact", "try_first", "peer", "feeling"
KEYS = (COVERED, LEARNT, IMPACT, TRY_FIRST, PEER, FEELING)

DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question(COVERED, "What? What did today's session cover for you, and why is it relevant to your work?"),
    Question(LEARNT, "So what? What did you learn, or what do you now see differently?"),
    Question(IMPACT, "What difference will it make to your practice and to the people you work with?"),
    Question(TRY_FIRST, "Now what? What will you try first?"),
    Question(
        PEER,
        "What did you take from discussing it with a peer? (optional)",
        required=False,
        placeholder="Social Work England asks for at least one piece of CPD a year reflected on with a peer",
    ),
    Question(FEELING, "How did the session leave you feeling? (optional)", required=False),
)


def questions_for(wording: Mapping[str, str] | None) -> tuple[Question, ...]:
    """The default set, with a course's own wording (from its catalogue file) where it gives one."""
    if not wording:
        return DEFAULT_QUESTIONS
    return tuple(replace(q, label=wording[q.key]) if wording.get(q.key) else q for q in DEFAULT_QUESTIONS)
