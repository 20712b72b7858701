"""The reflection prompt and its nudge, as outbox rows to the participant's 1:1 chat.

One prompt per enrolment and session, under a key without the session's time (``reflection:<enrolment>:
<session>:prompt``): a moved session re-plans the row still waiting (cancel, then enqueue under the same key),
while a prompt already sent is never sent again. The nudge has its own key and is cancelled when the reflection
is finished or skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from classroom.outbox import Notice, NoticePart

PROMPT = "reflection.prompt"


class OutcomePart(NoticePart):
    id: int
    text: str


class QuestionPart(NoticePart):
    key: str
    label: str
    required: bool
    placeholder: str = ""


class ReflectionPromptNotice(Notice):
    """Everything the prompt card shows; ``nudge`` marks the one reminder a few days later."""

    KIND: ClassVar[str] = PROMPT
    enrolment_id: int
    session_id: int
    course_title: str
    run_code: str
    session_position: int
    session_count: int
    starts_at: datetime
    ends_at: datetime
    outcomes: list[OutcomePart]
    questions: list[QuestionPart]
    nudge: bool = False


def prompt_prefix(enrolment_id: int, session_id: int | None = None) -> str:
    return f"reflection:{enrolment_id}:" + (f"{session_id}:" if session_id is not None else "")


def prompt_key(enrolment_id: int, session_id: int) -> str:
    return f"{prompt_prefix(enrolment_id, session_id)}prompt"


def nudge_key(enrolment_id: int, session_id: int) -> str:
    return f"{prompt_prefix(enrolment_id, session_id)}nudge"
