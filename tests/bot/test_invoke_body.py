"""Invoke answers are written field by field when that gives exactly what botbuilder's serializer gives."""

from __future__ import annotations

import copy
import json

import pytest
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, ConversationAccount

from bot.adapter import invoke_body_json
from bot.connector.serialization import to_wire
from dialogs.card_actions import card_answer, message_answer
from dialogs.cards.messages import card_activity
from tests.support.card_samples import CardSample, build_card_samples


def _stock(body: object) -> object:
    return json.loads(json.dumps(serializer_helper(body)))


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[CardSample]:
    return build_card_samples(tmp_path_factory.mktemp("cards"))


def test_every_sample_card_answer_matches_botbuilders_serializer(samples: list[CardSample]) -> None:
    """The fast path writes the same JSON as msrest for every card the bot can answer with."""
    assert samples
    for sample in samples:
        body = card_answer(sample.message.card).body
        assert json.loads(invoke_body_json(body)) == _stock(body), sample.name


def test_a_message_answer_matches_botbuilders_serializer() -> None:
    body = message_answer("Sorry, only coordinators can do that. <b>Nothing</b> was changed.").body
    assert json.loads(invoke_body_json(body)) == _stock(body)


def test_a_model_inside_the_answer_falls_back_to_botbuilders_serializer() -> None:
    """A card that holds an msrest model (not JSON) is still serialised correctly, by msrest."""
    body = AdaptiveCardInvokeResponse(
        status_code=200, type="x", value={"activity": Activity(type="message", text="hi")}
    )
    assert json.loads(invoke_body_json(body)) == _stock(body)
    assert json.loads(invoke_body_json(body))["value"]["activity"] == {"type": "message", "text": "hi"}


def test_botbuilders_copy_of_the_answer_leaves_the_card_alone(samples: list[CardSample]) -> None:
    """TurnContext deep-copies every outgoing activity; the card inside an answer is shared, not copied."""
    card = samples[0].message.card
    answer = card_answer(card)
    copied = copy.deepcopy(Activity(type="invokeResponse", value=answer))
    assert copied.value is not answer  # botbuilder's copy still happens around it
    assert copied.value.body.value is card
    assert json.loads(invoke_body_json(copied.value.body)) == _stock(answer.body)


def test_botbuilders_copy_of_a_card_message_leaves_the_card_alone(samples: list[CardSample]) -> None:
    """Cards sent as messages are shared by the copy too, and go to Teams exactly as msrest would write them."""
    for sample in samples:
        activity = card_activity(sample.message)
        copied = copy.deepcopy(activity)
        assert copied is not activity
        assert copied.attachments[0].content is sample.message.card, sample.name
        assert to_wire(copied) == json.loads(json.dumps(serializer_helper(activity))), sample.name
        copied.conversation = ConversationAccount(id="19:elsewhere")  # as botbuilder addresses its copy
        assert activity.conversation is None
