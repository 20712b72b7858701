"""The reflection prompt in the participant's 1:1 chat: the outcomes today's session addressed (multi-select), then
the questions that fill Social Work England's CPD form. Save to the CPD log, save a draft, or skip.

Answers typed by the person come back to them only (their own 1:1 chat, or the invoke's answer Teams shows to
them alone), as input values: never rendered as markdown.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.reflection.identifying import Finding
from classroom.reflection.notices import ReflectionPromptNotice
from classroom.reflection.questions import MAX_ANSWER_LENGTH
from classroom.reflection.views import ReflectionState
from dialogs.cards.base import CardMessage, Element, card, container, execute, heading, submit, text
from dialogs.cards.formatting import local_time_range
from dialogs.reflection.parts import COMMAND, OUTCOMES_INPUT, SAVE, SKIP


def _title(prompt: ReflectionPromptNotice) -> str:
    if prompt.session_count > 1:
        return f"session {prompt.session_position} of {prompt.session_count} of {prompt.course_title}"
    return prompt.course_title


def _button(title: str, verb: str, prompt: ReflectionPromptNotice, mode: str, *, style: str | None = None) -> Element:
    ids = {"enrolment": prompt.enrolment_id, "session": prompt.session_id}
    args = f"{mode} {prompt.enrolment_id} {prompt.session_id}"
    return execute(title, verb, {**ids, "mode": mode}, style=style, fallback=submit(title, COMMAND, args))


def _outcomes(prompt: ReflectionPromptNotice, chosen: tuple[int, ...]) -> list[Element]:
    if not prompt.outcomes:
        return []
    choice_set: Element = {
        "type": "Input.ChoiceSet",
        "id": OUTCOMES_INPUT,
        "label": "Which of the course's learning outcomes did today's session address for you?",
        "isMultiSelect": True,
        "style": "expanded",
        "choices": [{"title": o.text, "value": str(o.id)} for o in prompt.outcomes],
    }
    if chosen:
        choice_set["value"] = ",".join(str(i) for i in chosen)
    return [choice_set]


def _question(key: str, label: str, placeholder: str, answer: str) -> Element:
    box: Element = {
        "type": "Input.Text",
        "id": key,
        "label": label,
        "isMultiline": True,
        "maxLength": MAX_ANSWER_LENGTH,
    }
    if placeholder:
        box["placeholder"] = placeholder
    if answer:
        box["value"] = answer
    return box


def identifying_warning(findings: list[Finding]) -> Element:
    kinds = "; ".join(f"{f.kind} (“{f.excerpt[:60]}”)" for f in findings)
    return container(
        [
            text("Before you save: could this identify someone?", weight="Bolder"),
            text(
                f"Your answers seem to contain {kinds}. Please anonymise details of children, families and "
                'colleagues (for example "the child", "Mum", "a colleague"). Edit your answers below, or '
                "save them as they are."
            ),
        ],
        style="warning",
    )


def build_prompt_card(
    prompt: ReflectionPromptNotice,
    zone: ZoneInfo,
    *,
    state: ReflectionState | None = None,
    findings: list[Finding] | None = None,
    note: str | None = None,
) -> CardMessage:
    answers = state.answers if state else {}
    chosen = state.outcome_ids if state else ()
    when = local_time_range(prompt.starts_at, prompt.ends_at, zone)
    opening = (
        f"A gentle reminder: your reflection on {_title(prompt)} is still waiting"
        if prompt.nudge
        else f"How was {_title(prompt)}?"
    )
    body: list[Element] = [
        heading(opening, size="Medium"),
        text(when, subtle=True, spacing="None"),
        text(
            "A few minutes now gives you a CPD record ready for Social Work England. Only you can read what you "
            "write here: trainers see only how many people reflected."
        ),
    ]
    if note:
        body.append(text(note, weight="Bolder"))
    if findings:
        body.append(identifying_warning(findings))
    body.extend(_outcomes(prompt, chosen))
    body.extend(_question(q.key, q.label, q.placeholder, answers.get(q.key, "")) for q in prompt.questions)
    save_title = "Save as it is" if findings else "Save to my CPD log"
    save_mode = "finish-anyway" if findings else "finish"
    draft_mode = "draft-anyway" if findings else "draft"
    return card(
        body,
        [
            _button(save_title, SAVE, prompt, save_mode, style="positive"),
            _button("Save draft, finish later", SAVE, prompt, draft_mode),
            _button("Skip this one", SKIP, prompt, "skip"),
        ],
    )
