"""The plain path for dialog state (``storage/state_documents.py``) writes and reads exactly what jsonpickle does, and
leaves everything else to jsonpickle; the stored documents are the same whichever path wrote them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.dialogs.prompts import PromptOptions
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from dialogs.card_question_options import CardQuestionOptions
from dialogs.cards.base import CardMessage
from storage import state_documents, state_storage
from storage.state_documents import NotPlain, keep_plainly

CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": 'PERMPLAN-2 \u00b7 29 April, 09:30\u201316:30 "BST"', "wrap": True}],
    "actions": [{"type": "Action.Execute", "title": "Confirm my place", "verb": "answer", "data": {"args": "confirm"}}],
}


def _question() -> CardQuestionOptions:
    return CardQuestionOptions(
        CardMessage(CARD, "Enrol on Permanence Planning"),
        retry="Please press one of the buttons",
        validations={"confirm": ["1", "confirm my place", "yes"], "no": ["2", "no"]},
    )


def _stack(*instances: DialogInstance) -> DialogState:
    return DialogState(list(instances))


def _enrolling() -> dict[str, Any]:
    """A conversation's state in the middle of an enrolment, as the bot keeps it."""
    question = DialogInstance("enrol.choice", {"options": _question(), "state": {}})
    steps = DialogInstance(
        "enrol.steps",
        {
            "options": {"code": "PERMPLAN-2", "decision": None},
            "values": {
                "run_code": "PERMPLAN-2",
                "sessions": [[1, "2027-04-29T08:30:00+00:00", "2027-04-29T15:30:00+00:00"]],
                "clash_positions": [1, 4],
                "price": 95.5,
                "confirmed": True,
                "empty": {},
                "nothing": [],
                "words": "naïve “quotes” \\ and \n lines",
            },
            "instanceId": "0be893ee-f08c-11f1-bac5-02fc00000001",
            "stepIndex": 2,
        },
    )
    return {
        "DialogState": _stack(DialogInstance("enrol", {"dialogs": _stack(question, steps)})),
        "DialogProgress": {"touched_at": "2026-11-23T09:00:00+00:00", "offer": None},
    }


def _same_objects(one: Any, other: Any) -> None:
    """``one`` and ``other`` are the same values of the same types all the way down."""
    assert type(one) is type(other)
    if isinstance(one, dict):
        assert list(one) == list(other)
        for key in one:
            _same_objects(one[key], other[key])
    elif isinstance(one, list):
        assert len(one) == len(other)
        for mine, theirs in zip(one, other, strict=True):
            _same_objects(mine, theirs)
    elif isinstance(one, CardQuestionOptions):
        _same_objects(one.__getstate__(), other.__getstate__())
    elif hasattr(one, "__dict__"):
        _same_objects(vars(one), vars(other))
    else:
        assert one == other


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"DialogProgress": {"touched_at": None, "offer": {"text": "courses", "command": "courses", "args": ""}}},
        _enrolling(),
        {"DialogState": _stack()},
        [1, 2.5, True, None, "x", [], {}],
    ],
)
def test_a_plain_state_is_written_and_read_as_jsonpickle_writes_and_reads_it(value: Any) -> None:
    flat = state_documents.flatten(value)
    assert flat == Pickler().flatten(value)
    document = json.loads(json.dumps(flat))
    _same_objects(state_documents.restore(document), Unpickler(safe=True).restore(document))


def test_the_question_read_back_asks_the_same_question() -> None:
    [document] = [json.loads(json.dumps(state_documents.flatten({"options": _question()})))]
    options = state_documents.restore(document)["options"]
    assert isinstance(options, CardQuestionOptions)
    assert options.card == CARD and options.prompt.attachments[0].content == CARD
    assert options.retry_prompt.text == "Please press one of the buttons"
    assert options.validations == {"confirm": ["1", "confirm my place", "yes"], "no": ["2", "no"]}


class _Unregistered:
    def __init__(self) -> None:
        self.x = 1


shared = ["the same list"]


@pytest.mark.parametrize(
    "value",
    [
        {"when": datetime(2026, 11, 23, 9, tzinfo=UTC)},  # a class not kept plainly
        {"pair": (1, 2)},  # jsonpickle writes a tuple as {"py/tuple": [...]}
        {"set": {1}},
        {"one": shared, "two": shared},  # the second time as a reference
        {1: "a number as a key"},  # written as its repr
        {"py/object": "os.system", "text": "a tag key in data: jsonpickle drops it"},
        {"object": _Unregistered()},
        {"options": PromptOptions(prompt=MessageFactory.text("What is your name?"))},  # activities: jsonpickle's
    ],
)
def test_anything_else_is_left_to_jsonpickle_and_stored_the_same(value: Any) -> None:
    with pytest.raises(NotPlain):
        state_documents.flatten(value)
    document = state_storage.document_of(value)
    assert document == json.dumps(Pickler().flatten(value), separators=(",", ":"))
    restored = state_storage.restored(document, "e1")
    assert state_storage.document_of({k: v for k, v in restored.items() if k != "e_tag"}) == document


@pytest.mark.parametrize(
    "document",
    [
        {"py/tuple": [1, 2]},
        {"a": {"py/id": 1}},
        {"py/object": "botbuilder.dialogs.dialog_state.DialogState", "py/state": {}},
        {"py/object": "collections.OrderedDict"},
        {"py/object": "botbuilder.dialogs.dialog_instance.DialogInstance", "__dict__": {}},
        {"py/object": "dialogs.card_question_options.CardQuestionOptions", "extra": 1, "py/state": {}},
        {"a": {"py/b64": "eA=="}},  # not a reserved tag, yet jsonpickle reads it as bytes
    ],
)
def test_a_document_with_anything_else_is_read_by_jsonpickle(document: Any) -> None:
    with pytest.raises(NotPlain):
        state_documents.restore(document)


class _Reduced:
    def __reduce__(self) -> Any:
        return (_Reduced, ())


class _Slotted:
    __slots__ = ("x",)


class _StateOnly:
    def __getstate__(self) -> dict[str, Any]:
        return {}


class _Listed(list[Any]):
    pass


@pytest.mark.parametrize(
    ("cls", "why"),
    [
        (_Reduced, "defines __reduce__"),
        (_Slotted, "has slots"),
        (_StateOnly, "no __setstate__"),
        (_Listed, "is a collection"),
    ],
)
def test_a_class_jsonpickle_writes_its_own_way_cannot_be_kept_plainly(cls: type, why: str) -> None:
    with pytest.raises(TypeError, match=f"cannot be kept plainly: it .*{why}"):
        keep_plainly(cls)


def test_an_enrolment_in_progress_is_stored_without_jsonpickle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The state of the busiest dialogs goes both ways without jsonpickle's walk (about 300 us a turn round)."""
    value = _enrolling()
    expected = json.dumps(Pickler().flatten(value), separators=(",", ":"))

    def refused(*_: object, **__: object) -> None:
        raise AssertionError("jsonpickle used")

    monkeypatch.setattr(state_storage, "Pickler", refused)
    monkeypatch.setattr(state_storage, "Unpickler", refused)
    document = state_storage.document_of(value)
    assert document == expected
    assert state_storage.document_of(state_storage.restored(document, "e1")) == document
