"""The inbound gate (``bot/inbound.py``): what it cleans, what it cuts, and what it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.inbound import MAX_DEPTH, MalformedActivity, read_activity

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "teams-activities"
INBOUND = sorted(
    path
    for path in REFERENCE.glob("*.json")
    if not path.name.startswith(("connector-", "outbound-")) and "response" not in path.name
)


def _body(name: str = "personal-message") -> dict:
    return json.loads((REFERENCE / f"{name}.json").read_text())


def _raw(body: object, *, ascii_only: bool = True) -> bytes:
    return json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("path", INBOUND, ids=lambda p: p.stem)
def test_every_captured_activity_passes_unchanged(path: Path) -> None:
    assert read_activity(path.read_bytes()) == json.loads(path.read_text())


def test_nul_and_lone_surrogates_are_removed_and_text_is_nfc_everywhere() -> None:
    body = _body()
    body["text"] = "find cou\u0000rt\ud800"
    body["from"]["name"] = "Zoe\u0301 \udfffSmith"
    body["value"] = {"deep": [{"k\u0000ey": "a\u0000b"}]}
    cleaned = read_activity(_raw(body))
    assert cleaned["text"] == "find court"
    assert cleaned["from"]["name"] == "Zoé Smith" and len(cleaned["from"]["name"]) == 9
    assert cleaned["value"] == {"deep": [{"key": "ab"}]}


def test_names_are_cut_to_their_columns_and_ids_are_never_cut() -> None:
    body = _body("conversation-update-members-added-team")
    body["from"]["name"] = "N" * 256  # Entra allows 256 characters; people.name holds 200
    body["channelData"]["team"]["name"] = "T" * 400
    cleaned = read_activity(_raw(body))
    assert cleaned["from"]["name"] == "N" * 200
    assert cleaned["channelData"]["team"]["name"] == "T" * 300

    body = _body()
    body["from"]["aadObjectId"] = "a" * 65
    with pytest.raises(MalformedActivity, match="aadObjectId is longer than 64"):
        read_activity(_raw(body))
    body = _body()
    body["conversation"]["id"] = "c" * 513
    with pytest.raises(MalformedActivity, match="conversation: id is longer than 512"):
        read_activity(_raw(body))


def _nested(depth: int) -> bytes:
    """JSON nesting ``depth`` levels (objects and lists in turn), written out: ``json`` cannot write 1,000 levels."""
    opening = b"".join(b'{"a":' if level % 2 else b"[" for level in range(depth))
    closing = b"".join(b"}" if level % 2 else b"]" for level in reversed(range(depth)))
    return opening + b'"leaf"' + closing


@pytest.mark.parametrize("ascii_only", [True, False])
def test_deep_nesting_is_refused_at_any_depth(ascii_only: bool) -> None:
    body = _body()
    body["value"] = "@VALUE@"
    body["text"] = "e" if ascii_only else "é"
    template = _raw(body, ascii_only=ascii_only)
    read_activity(template.replace(b'"@VALUE@"', _nested(MAX_DEPTH - 2)))
    for depth in (MAX_DEPTH + 1, 1000):
        with pytest.raises(MalformedActivity, match="nests more than"):
            read_activity(template.replace(b'"@VALUE@"', _nested(depth)))
    with pytest.raises(MalformedActivity, match="nests more than"):
        read_activity(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda b: b.pop("conversation"), "has no conversation"),
        (lambda b: b.pop("from"), "has no from"),
        (lambda b: b.pop("serviceUrl"), "has no serviceUrl"),
        (lambda b: b.pop("channelId"), "has no channelId"),
        (lambda b: b.update(channelData="tenant"), "channelData must be an object"),
        (lambda b: b.update(channelData={"tenant": []}), "tenant must be an object"),
        (lambda b: b.update(channelData={"team": {"name": "no id"}}), "channelData.team has no id"),
        (lambda b: b.update(serviceUrl="javascript:alert(1)"), "serviceUrl must be an http"),
        (lambda b: b.update(serviceUrl="http://host/a b"), "serviceUrl must be an http"),
        (lambda b: b["conversation"].update(conversationType="bogus"), "conversationType must be one of"),
        (lambda b: b["conversation"].update(conversationType=None, isGroup=True), "must say its conversationType"),
        (lambda b: b["from"].update(id=7), "from: id must be a string"),
        (lambda b: b.update(entities=[{"text": "no type"}]), "an entity has no type"),
        (lambda b: b.update(entities={"type": "mention"}), "entities must be a list of objects"),
        # botbuilder strips the bot's @mention by reading mentioned.id unchecked: a traceback, never again.
        (lambda b: b.update(entities=[{"type": "mention"}]), "a mention has no mentioned"),
        (lambda b: b.update(entities=[{"type": "mention", "mentioned": "bot"}]), "mentioned must be an object"),
        (lambda b: b.update(entities=[{"type": "mention", "mentioned": {"name": "x"}}]), "a mention has no id"),
        (lambda b: b.update(id="i" * 300), "id is longer than 256"),
        (lambda b: b.update(text=["help"]), "text must be a string"),
    ],
)
def test_activities_missing_or_mistyping_what_the_bot_relies_on_are_refused(change, reason: str) -> None:  # type: ignore[no-untyped-def]
    body = _body()
    change(body)
    with pytest.raises(MalformedActivity, match=reason):
        read_activity(_raw(body))


def test_a_conversation_update_must_carry_channel_data() -> None:
    body = _body("conversation-update-members-added-team")
    del body["channelData"]
    with pytest.raises(MalformedActivity, match="has no channelData"):
        read_activity(_raw(body))


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"x"', b"\xff\xfe\x00", b"NaN"])
def test_bodies_that_are_not_an_activity_object_are_refused(raw: bytes) -> None:
    with pytest.raises(MalformedActivity):
        read_activity(raw)
