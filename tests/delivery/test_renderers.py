"""Renderers turn a notification's payload into a Teams activity; bad payloads fail clearly."""

from __future__ import annotations

import pytest

from bot.delivery.renderers import RenderError, default_renderers


def test_text_kind() -> None:
    registry = default_renderers()
    assert registry.render("text", {"text": "Your session starts at 10:00"}) == {
        "type": "message",
        "text": "Your session starts at 10:00",
        "textFormat": "plain",
    }
    assert registry.render("text", {"text": "**soon**", "format": "markdown"})["textFormat"] == "markdown"


@pytest.mark.parametrize("payload", [{}, {"text": ""}, {"text": 3}, {"text": "x", "format": "html"}])
def test_bad_text_payloads(payload: dict) -> None:
    with pytest.raises(RenderError):
        default_renderers().render("text", payload)


def test_unknown_kind_and_broken_renderer() -> None:
    registry = default_renderers()
    with pytest.raises(RenderError, match="no renderer"):
        registry.render("enquiries.card", {})
    registry.register("enquiries.card", lambda payload: {"attachments": [payload["card"]]})
    with pytest.raises(RenderError, match="KeyError"):
        registry.render("enquiries.card", {})
    assert registry.render("enquiries.card", {"card": {"a": 1}}) == {"type": "message", "attachments": [{"a": 1}]}
    assert registry.kinds == {"text", "enquiries.card"}


def test_a_kind_is_registered_once() -> None:
    registry = default_renderers()
    with pytest.raises(ValueError):
        registry.register("text", lambda payload: {})
    registry.register("text", lambda payload: {"text": "replaced"}, replace=True)
    assert registry.render("text", {})["text"] == "replaced"
