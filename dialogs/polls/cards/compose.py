"""The compose card (``poll`` alone): question, kind, options, the kind's details and the settings; Preview shows
the poll as it will be posted, Post posts it. A refusal shows the card again with the reason on top and every
field as it was typed. Buttons are ``Action.Execute`` (answered in place, for the trainer alone) with
``Action.Submit`` fallbacks (``poll compose preview`` / ``poll compose post`` with the card's inputs)."""

from __future__ import annotations

from classroom.polls.kinds import AUTO_CLOSE_MAX_MINUTES, LABEL_MAX, OPTION_MAX, QUESTION_MAX, PollDraft
from dialogs.cards.base import CardMessage, Element, card, container, execute, submit, text
from dialogs.polls import compose as fields
from dialogs.polls.cards.tallies import run, runs
from dialogs.polls.parts import COMPOSE_POST, COMPOSE_PREVIEW, COMPOSE_SAVE, POLL_COMMAND
from storage.models import PollKind, PollResults

RESULTS_NAMES = {
    PollResults.LIVE: "Live, for everyone",
    PollResults.AFTER_CLOSE: "After I close the poll",
    PollResults.LAUNCHER_ONLY: "To me only",
}
KIND_CHOICES = {
    PollKind.SINGLE_CHOICE: "Single choice",
    PollKind.MULTIPLE_CHOICE: "Multiple choice",
    PollKind.RATING: "Rating 1-5",
    PollKind.OPEN_TEXT: "Open text (short answers)",
    PollKind.CONFIDENCE: "Confidence per learning outcome",
    PollKind.QUIZ: "Quiz (one right answer)",
}


def _text_input(name: str, label: str, value: str, *, max_length: int, multiline: bool = False) -> Element:
    element: Element = {"type": "Input.Text", "id": name, "label": label, "value": value, "maxLength": max_length}
    if multiline:
        element["isMultiline"] = True
    return element


def _choices(name: str, label: str, value: str, choices: dict[str, str]) -> Element:
    return {
        "type": "Input.ChoiceSet",
        "id": name,
        "label": label,
        "style": "compact",
        "value": value,
        "choices": [{"title": title, "value": key} for key, title in choices.items()],
    }


def _toggle(name: str, label: str, title: str, value: str) -> Element:
    return {
        "type": "Input.Toggle",
        "id": name,
        "label": label,
        "title": title,
        "value": value,
        "valueOn": "true",
        "valueOff": "false",
    }


def _number(typed: str) -> dict[str, int]:
    """A number input's value as typed (none when empty or not a number: the error says so)."""
    return {"value": int(typed)} if typed.isascii() and typed.isdigit() and len(typed) <= 6 else {}


def _form(values: dict[str, str]) -> list[Element]:
    return [
        _text_input(
            fields.QUESTION,
            f"Question (up to {QUESTION_MAX} characters)",
            values[fields.QUESTION],
            max_length=QUESTION_MAX,
        ),
        _choices(fields.KIND, "Kind", values[fields.KIND], {k.value: v for k, v in KIND_CHOICES.items()}),
        _text_input(
            fields.OPTIONS,
            f"Options, one per line (2 to 10, up to {OPTION_MAX} characters each; for a quiz start the right one "
            "with *; none for rating, open text and confidence)",
            values[fields.OPTIONS],
            max_length=fields.OPTIONS_FIELD_MAX,
            multiline=True,
        ),
        {
            "type": "Input.Number",
            "id": fields.MAX_PICKS,
            "label": "Multiple choice: the most picks allowed (empty: all)",
            "min": 1,
            "max": 10,
            **_number(values[fields.MAX_PICKS]),
        },
        _text_input(fields.LOW_LABEL, "Rating: what 1 means", values[fields.LOW_LABEL], max_length=LABEL_MAX),
        _text_input(fields.HIGH_LABEL, "Rating: what 5 means", values[fields.HIGH_LABEL], max_length=LABEL_MAX),
        _toggle(
            fields.ANONYMOUS,
            "Anonymous",
            "Nobody, not even the trainers, can see who answered what",
            values[fields.ANONYMOUS],
        ),
        _choices(
            fields.RESULTS, "Results shown", values[fields.RESULTS], {k.value: v for k, v in RESULTS_NAMES.items()}
        ),
        _toggle(
            fields.CHANGEABLE,
            "Answers can be changed",
            "People may change their answer until it closes",
            values[fields.CHANGEABLE],
        ),
        {
            "type": "Input.Number",
            "id": fields.MINUTES,
            "label": f"Closes by itself after N minutes (1 to {AUTO_CLOSE_MAX_MINUTES}; empty: when I close it)",
            "min": 1,
            "max": AUTO_CLOSE_MAX_MINUTES,
            **_number(values[fields.MINUTES]),
        },
    ]


def _preview(draft: PollDraft) -> list[Element]:
    settings = draft.settings
    options = list(draft.spec.options)
    if draft.spec.kind is PollKind.CONFIDENCE:
        options = ["(each learning outcome of the linked run's course, rated 1 to 5)"]
    correct = getattr(draft.spec, "correct", None)
    lines = [
        runs(run(f"{n}. "), run(option), run(" ✓" if n - 1 == correct else ""))
        for n, option in enumerate(options, start=1)
    ]
    closes = (
        f"closes by itself after {settings.closes_after_minutes} minutes"
        if settings.closes_after_minutes
        else ("closes when you close it")
    )
    summary = (
        f"{KIND_CHOICES[draft.spec.kind]} · {'anonymous' if settings.anonymous else 'not anonymous'} · results: "
        f"{RESULTS_NAMES[settings.results].lower()} · answers {'can' if settings.changeable else 'cannot'} be "
        f"changed · {closes}."
    )
    return [
        container(
            [
                text("Preview: this is the poll you will post", weight="Bolder"),
                runs(run(draft.question, size="Large", weight="Bolder")),
                *lines,
                text(summary, subtle=True),
            ],
            style="emphasis",
        )
    ]


def _with_draft(action: Element, draft: str) -> Element:
    action["data"] = {**action["data"], fields.DRAFT: draft}
    return action


def _buttons(*, can_post: bool, preparing: bool, draft: str) -> Element:
    """Every button carries the card's id (``draft``), which Preview keeps and Post consumes."""
    if preparing:  # the 1:1 chat: saved for the run, posted later from its chat
        step, title, verb, args = "prepare-preview", "Save for the run", COMPOSE_SAVE, "compose save"
    else:
        step, title, verb, args = "preview", "Post", COMPOSE_POST, "compose post"
    data: dict[str, object] = {"prepare": True} if preparing else {}
    preview = execute(
        "Preview",
        COMPOSE_PREVIEW,
        {**data, fields.DRAFT: draft},
        fallback=_with_draft(submit("Preview", POLL_COMMAND, f"compose {step}"), draft),
    )
    actions = [preview]
    if can_post:
        fallback = _with_draft(submit(title, POLL_COMMAND, args), draft)
        actions.append(execute(title, verb, {fields.DRAFT: draft}, style="positive", fallback=fallback))
    return {"type": "ActionSet", "actions": actions}


def build_poll_compose_card(
    values: dict[str, str] | None = None,
    *,
    preview: PollDraft | None = None,
    error: str | None = None,
    posted: PollDraft | None = None,
    preparing: bool = False,
    saved_for: str | None = None,
    draft: str | None = None,
) -> CardMessage:
    """The form (``values`` as typed, or the defaults); with ``preview`` the poll it makes and a Post button, with
    ``error`` what is wrong (and no Post); ``posted``: the form is done, its poll is in the chat. ``preparing``:
    the 1:1 chat's form, which names a run and saves the poll for it (``saved_for``: done, for that run). ``draft``:
    the card's id, kept from the card pressed (a new card gets a new one)."""
    if posted is not None:
        done = (
            f"Saved for {saved_for}: type prepared in the run's linked chat to launch it."
            if saved_for
            else "Posted: its card is in the chat."
        )
        return card([text(done, weight="Bolder"), runs(run(posted.question, size="Large", weight="Bolder"))])
    values = values or fields.form_values({})
    body: list[Element] = []
    if error:
        body.append(
            container(
                [text(f"Sorry, {error}. Nothing was posted: change it below.", weight="Bolder")], style="attention"
            )
        )
    if preparing:
        body.append(text("Prepare a poll for a run: fill it in, Preview, then save it for the run", subtle=True))
        body.append(_text_input(fields.RUN, "Run (e.g. PERM4-A)", values[fields.RUN], max_length=40))
    else:
        body.append(text("New poll: fill it in, Preview, then Post", subtle=True))
    body += _form(values)
    if preview is not None:
        body += _preview(preview)
    body.append(_buttons(can_post=preview is not None, preparing=preparing, draft=draft or fields.new_draft_id()))
    return card(body)
