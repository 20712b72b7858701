"""The fast serializer sends exactly what msrest (the stock client) would have sent."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    Entity,
    HeroCard,
    Mention,
    TextFormatTypes,
)
from msrest import Deserializer, Serializer
from msrest.exceptions import DeserializationError

from bot.connector import serialization
from bot.connector.serialization import CLIENT_MODELS, read_wire, to_wire

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "teams-activities"
MSREST = Serializer(CLIENT_MODELS)


def _reference_activities() -> list[Path]:
    return sorted(
        p
        for p in REFERENCE.glob("*.json")
        if isinstance(json.loads(p.read_text()), dict) and "type" in json.loads(p.read_text())
    )


def _reply_to(inbound: Activity, reply: Activity) -> Activity:
    reference = TurnContext.get_conversation_reference(inbound)
    return TurnContext.apply_conversation_reference(reply, reference)


@pytest.mark.parametrize("path", _reference_activities(), ids=lambda p: p.stem)
def test_reference_activities_serialise_like_msrest(path: Path) -> None:
    activity = Activity().deserialize(json.loads(path.read_text()))
    assert to_wire(activity) == MSREST.body(activity, "Activity")


def _replies() -> dict[str, Activity]:
    inbound = Activity().deserialize(json.loads((REFERENCE / "personal-message.json").read_text()))
    card = json.loads((REFERENCE / "outbound-reply-card.json").read_text())["attachments"][0]["content"]
    mention = Mention(mentioned=ChannelAccount(id="29:a", name="Alex"), text="<at>Alex</at>", type="mention")
    return {
        "text": _reply_to(inbound, MessageFactory.text("Hello **there**")),
        "adaptive card": _reply_to(inbound, MessageFactory.attachment(CardFactory.adaptive_card(card))),
        "hero card (model inside object)": _reply_to(
            inbound,
            MessageFactory.attachment(
                CardFactory.hero_card(HeroCard(title="T", buttons=[CardAction(type="imBack", title="Go", value="go")]))
            ),
        ),
        "mention entity + enum fields": _reply_to(
            inbound,
            Activity(
                type=ActivityTypes.message,
                text="<at>Alex</at> hi",
                text_format=TextFormatTypes.xml,
                entities=[mention, Entity(type="clientInfo")],
            ),
        ),
        "suggested actions": _reply_to(
            inbound, MessageFactory.suggested_actions([CardAction(type="imBack", title="a", value="a")], "pick")
        ),
        "timestamps (aware, naive-utc, offset)": _reply_to(
            inbound,
            Activity(
                type="message",
                text="t",
                timestamp=datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC),
                local_timestamp=datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1))),
                expiration=datetime(2026, 11, 24, tzinfo=UTC),
            ),
        ),
        "channel data and value with nesting": _reply_to(
            inbound,
            Activity(
                type="message",
                channel_data={"notification": {"alert": True}, "list": [1, 2.5, None, "x"]},
                value={"a": {"b": [True, {"c": None}]}},
            ),
        ),
        "typing": _reply_to(inbound, Activity(type=ActivityTypes.typing)),
        "update with id": _reply_to(inbound, Activity(id="123", type="message", text="edited")),
    }


@pytest.mark.parametrize("name", list(_replies()))
def test_replies_serialise_like_msrest(name: str) -> None:
    activity = _replies()[name]
    expected = MSREST.body(activity, "Activity")
    assert to_wire(activity) == expected
    assert json.loads(serialization.dumps(to_wire(activity))) == expected


def test_the_common_reply_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def msrest_called(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("fell back to msrest")

    monkeypatch.setattr(serialization._SERIALIZER, "body", msrest_called)
    for name in ("text", "adaptive card", "hero card (model inside object)", "mention entity + enum fields"):
        assert to_wire(_replies()[name])["type"]


def test_unusual_shapes_fall_back_to_msrest_and_still_match() -> None:
    # A plain dict where msrest expects a model, and a date and a Decimal inside a free-form object field.
    activity = Activity(
        type="message",
        from_property={"id": "28:bot", "name": "Bot"},
        attachments=[{"contentType": "text/plain", "content": "x"}],
        value={"day": date(2026, 11, 23), "price": Decimal("12.50")},
    )
    assert to_wire(activity) == MSREST.body(activity, "Activity")


@pytest.mark.parametrize("name", list(_replies()))
def test_replies_are_written_as_msrest_would_send_them(name: str) -> None:
    activity = _replies()[name]
    assert json.loads(serialization.wire_json(activity)) == MSREST.body(activity, "Activity")


def test_the_card_of_a_reply_is_written_without_walking_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def walked(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("walked the free-form content")

    monkeypatch.setattr(serialization, "_object", walked)
    for name in ("text", "adaptive card", "mention entity + enum fields", "channel data and value with nesting"):
        activity = _replies()[name]
        assert json.loads(serialization.wire_json(activity)) == MSREST.body(activity, "Activity")


@pytest.mark.parametrize(
    "value",
    [
        {"day": date(2026, 11, 23)},
        {"price": Decimal("12.50")},
        {"at": datetime(2026, 11, 23, 9, 0, tzinfo=UTC)},
        {"who": ChannelAccount(id="29:a")},
        {1: "a key that is not text"},
        {"big": 2**70},
        {"text": type("Text", (str,), {})("a str subclass")},
    ],
    ids=["date", "decimal", "datetime", "model", "int key", "big int", "str subclass"],
)
def test_what_is_not_plain_json_in_a_free_form_field_is_written_as_msrest_would(value: dict[object, object]) -> None:
    activity = Activity(type="message", value=value, attachments=[Attachment(content_type="x", content=value)])
    assert json.loads(serialization.wire_json(activity)) == MSREST.body(activity, "Activity")


def test_a_dict_where_a_model_is_expected_is_written_as_msrest_would() -> None:
    activity = Activity(type="message", from_property={"id": "28:bot"}, attachments=[{"contentType": "text/plain"}])
    assert json.loads(serialization.wire_json(activity)) == MSREST.body(activity, "Activity")


def test_conversation_parameters_serialise_like_msrest() -> None:
    parameters = ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id="28:bot"),
        members=[ChannelAccount(id="29:user")],
        tenant_id="tenant-1",
        channel_data={"tenant": {"id": "tenant-1"}},
        activity=Activity(type="message", text="hi"),
        conversation_type="personal",
    )
    assert to_wire(parameters, "ConversationParameters") == MSREST.body(parameters, "ConversationParameters")


def test_dicts_are_sent_as_given() -> None:
    payload = {"type": "message", "text": "as is", "conversation": {"id": "x"}}
    assert to_wire(payload) is payload


def test_response_models_match_the_stock_client() -> None:
    members = json.loads((REFERENCE / "connector-get-members.json").read_text())
    [member] = serialization.from_wire("[ChannelAccount]", members)[:1]
    assert member.id == members[0]["id"]
    assert member.additional_properties["objectId"] == members[0]["objectId"]  # as TeamsInfo expects


def test_unused_conversation_account_fields_are_omitted() -> None:
    activity = Activity(type="message", conversation=ConversationAccount(id="c"))
    assert to_wire(activity) == {"type": "message", "conversation": {"id": "c"}}


# -- inbound: read_wire builds the model msrest's deserializer builds ------------------------------------------


def _same_model(fast: object, stock: object) -> None:
    assert type(fast) is type(stock)
    # msrest models compare by __dict__, nested models and additional_properties included
    assert fast == stock
    assert vars(fast) == vars(stock)


@pytest.mark.parametrize("path", _reference_activities(), ids=lambda p: p.stem)
def test_reference_activities_read_like_msrest_on_the_fast_path(path: Path) -> None:
    data = json.loads(path.read_text())
    fast = serialization._read_model(Activity, data)  # the fast path itself, no fallback
    _same_model(fast, Activity().deserialize(data))
    assert read_wire(Activity, data) == fast


_INBOUND_SHAPES: dict[str, dict[str, object]] = {
    "unknown keys, top level and nested": {
        "type": "message",
        "text": "<at>Bot</at> hi",
        "somethingNew": {"x": [1, 2]},
        "entities": [
            {"type": "mention", "text": "<at>Bot</at>", "mentioned": {"id": "28:b", "name": "Bot"}},
            {"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web", "timezone": "Europe/London"},
        ],
        "from": {"id": "29:a", "name": "A", "aadObjectId": "00000000-0000-0000-0000-000000000001", "role": "user"},
    },
    "timestamps: seven decimals, offsets, Z": {
        "type": "message",
        "timestamp": "2026-11-23T09:00:00.1234567Z",
        "localTimestamp": "2026-11-23T10:00:00.123+01:00",
        "expiration": "2026-11-24T00:00:00Z",
    },
    "nulls everywhere": {
        "type": "message",
        "text": None,
        "attachments": [None, {"contentType": "text/plain", "content": None}],
        "value": {"a": None, "b": [None, 1]},
        "channelData": None,
    },
    "card action invoke": {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "value": {"action": {"type": "Action.Execute", "verb": "enquiry.assign", "data": {"enquiry": 7}}},
        "conversation": {"id": "19:x@thread.tacv2", "conversationType": "channel", "isGroup": True, "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}, "source": {"name": "message"}},
    },
    "lists of text and suggested actions": {
        "type": "message",
        "listenFor": ["a", "b"],
        "suggestedActions": {"to": ["1"], "actions": [{"type": "imBack", "title": "Go", "value": "go"}]},
    },
}


@pytest.mark.parametrize("name", list(_INBOUND_SHAPES))
def test_inbound_shapes_read_like_msrest(name: str) -> None:
    data = _INBOUND_SHAPES[name]
    _same_model(read_wire(Activity, data), Activity().deserialize(data))
    serialization._read_model(Activity, data)  # all on the fast path


@pytest.mark.parametrize(
    "data",
    [
        {"type": "message", "text": 5},  # msrest converts the number to "5"
        {"type": "message", "from": {"id": 12}},
        {"type": "message", "attachmentLayout": True},
        {"type": "message", "entities": [{"type": 1}]},
    ],
    ids=["number as text", "number as nested id", "bool as text", "number as entity type"],
)
def test_shapes_msrest_converts_are_left_to_msrest(data: dict[str, object]) -> None:
    with pytest.raises(serialization._Unsupported):
        serialization._read_model(Activity, data)
    _same_model(read_wire(Activity, data), Activity().deserialize(data))


@pytest.mark.parametrize(
    "data",
    [{"type": "message", "from": "someone"}, {"type": "message", "timestamp": "yesterday"}],
    ids=["text where an account is expected", "not a timestamp"],
)
def test_malformed_activities_fail_as_msrest_fails(data: dict[str, object]) -> None:
    with pytest.raises(Exception) as stock:
        Activity().deserialize(data)
    with pytest.raises(type(stock.value)):
        read_wire(Activity, data)


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-23T09:00:00.1234567Z",
        "2026-11-23T10:00:00.123+01:00",
        "2026-11-24T00:00:00Z",
        "2026-11-24T00:00:00-05:30",
        "2026-11-24T00:00:00",  # no offset: msrest's
        "2026-02-30T00:00:00Z",  # no such day: msrest refuses it
        "yesterday",
    ],
)
def test_timestamps_read_like_msrest(value: str) -> None:
    try:
        expected: object = Deserializer.deserialize_iso(value)
    except DeserializationError:
        with pytest.raises(DeserializationError):
            serialization._timestamp(value)
        return
    assert serialization._timestamp(value) == expected


def test_teams_timestamps_are_read_without_msrest(monkeypatch: pytest.MonkeyPatch) -> None:
    def msrest(_value: str) -> None:
        raise AssertionError("read by msrest")

    monkeypatch.setattr(serialization.Deserializer, "deserialize_iso", msrest)
    read = read_wire(Activity, {"type": "message", "timestamp": "2026-11-23T09:00:00.1234567Z"})
    assert read.timestamp == datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC)
