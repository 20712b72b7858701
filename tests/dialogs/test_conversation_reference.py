"""The conversation reference stored for each install is msrest's JSON for it, built without msrest's walk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount, RoleTypes

from bot.connector.serialization import read_wire
from dialogs.conversation_reference import conversation_info, serialized_reference

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "teams-activities"
ACTIVITIES = sorted(p for p in REFERENCE.glob("*.json") if "type" in json.loads(p.read_text()))


def _activity(name: str) -> Activity:
    return read_wire(Activity, json.loads((REFERENCE / name).read_text()))


@pytest.mark.parametrize("path", ACTIVITIES, ids=lambda p: p.stem)
def test_the_reference_is_what_msrest_serialises(path: Path) -> None:
    activity = read_wire(Activity, json.loads(path.read_text()))
    assert serialized_reference(activity) == TurnContext.get_conversation_reference(activity).serialize()


def test_shapes_outside_text_and_booleans_are_left_to_msrest() -> None:
    activity = _activity("installation-update-add.json")
    activity.from_property = ChannelAccount(id="user-1", name="", role=RoleTypes.user, properties={"a": [1, 2]})
    activity.conversation.is_group = False
    expected = TurnContext.get_conversation_reference(activity).serialize()
    assert serialized_reference(activity) == expected
    assert expected["user"]["properties"] == {"a": [1, 2]} and expected["user"]["role"] == "user"


def test_the_stored_reference_leaves_the_activity_untouched() -> None:
    activity = _activity("channel-reply-mention.json")
    conversation_id = activity.conversation.id
    info = conversation_info(activity)
    info.reference["conversation"]["name"] = "changed"
    assert activity.conversation.id == conversation_id and activity.conversation.name != "changed"
    assert ";messageid=" not in info.reference["conversation"]["id"]
