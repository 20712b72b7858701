"""``cpd add`` and ``cpd N edit``: the CPD form's fields as a card (the same fields as a course entry), with the
identifying-details warning before saving. Shown only in the author's 1:1 chat."""

from __future__ import annotations

from datetime import date

from classroom.reflection.cpd import CPD_TYPES
from classroom.reflection.cpd_fields import MAX_TITLE_LENGTH
from classroom.reflection.form import DESCRIPTION, IMPACT, LEARNT, PEER
from classroom.reflection.identifying import Finding
from classroom.reflection.questions import MAX_ANSWER_LENGTH
from dialogs.cards.base import CardMessage, Element, card, execute, heading, submit, text
from dialogs.reflection.cards.prompt import identifying_warning

SAVE_CPD = "cpd.save"
DATE_INPUT, TYPE_INPUT, HOURS_INPUT = "cpd_date", "cpd_type", "cpd_hours"
TEXT_INPUTS = (("title", "Title"), ("description", DESCRIPTION), ("learnt", LEARNT), ("impact", IMPACT))
PEER_INPUT = ("peer", PEER + " (optional)")


def _text_box(key: str, label: str, value: str, *, multiline: bool = True) -> Element:
    box: Element = {
        "type": "Input.Text",
        "id": key,
        "label": label,
        "isMultiline": multiline,
        "maxLength": MAX_TITLE_LENGTH if key == "title" else MAX_ANSWER_LENGTH,
    }
    if value:
        box["value"] = value
    return box


def build_cpd_form_card(
    values: dict[str, str],
    *,
    entry_id: int | None,
    today: date,
    findings: list[Finding] | None = None,
    note: str | None = None,
) -> CardMessage:
    """``values``: what is in the boxes (typed, or the entry being edited); ``entry_id`` None for a new entry."""
    body: list[Element] = [
        heading("Add to your CPD log" if entry_id is None else f"Edit CPD entry #{entry_id}", size="Medium"),
        text("Reading, supervision, shadowing, a webinar: any CPD. Only you can see your log.", subtle=True),
    ]
    if note:
        body.append(text(note, weight="Bolder"))
    if findings:
        body.append(identifying_warning(findings))
    body.append(
        {
            "type": "Input.Date",
            "id": DATE_INPUT,
            "label": "Date",
            "value": values.get(DATE_INPUT) or today.isoformat(),
        }
    )
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": TYPE_INPUT,
            "label": "Type of CPD",
            "choices": [{"title": kind, "value": kind} for kind in CPD_TYPES],
            "value": values.get(TYPE_INPUT) or CPD_TYPES[2],
        }
    )
    body.append(
        {
            "type": "Input.Number",
            "id": HOURS_INPUT,
            "label": "Hours",
            "min": 0,
            "max": 336,
            "value": float(values.get(HOURS_INPUT) or 1),
        }
    )
    for key, label in TEXT_INPUTS:
        body.append(_text_box(key, label, values.get(key, ""), multiline=key != "title"))
    body.append(_text_box(PEER_INPUT[0], PEER_INPUT[1], values.get(PEER_INPUT[0], "")))
    target = "add" if entry_id is None else str(entry_id)
    mode = "save-anyway" if findings else "save"
    title = "Save as it is" if findings else "Save entry"
    data = {"entry": entry_id or 0, "mode": mode}
    return card(
        body,
        [
            execute(title, SAVE_CPD, data, style="positive", fallback=submit(title, "cpd", f"{target} {mode}")),
            submit("My CPD log", "my cpd"),
        ],
    )
