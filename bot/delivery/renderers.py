"""Turn an outbox row's ``(kind, payload)`` into the Teams activity to send.

Each notification kind has one renderer, ``payload -> activity dict``. This module ships ``text``; every
feature's kinds are added at start-up from its ``Feature.notifications`` (``bot.assembly.build_renderers``),
drawn with the feature's card builders. A renderer that cannot render raises ``RenderError``: the row is
dead with that reason, since rendering the same payload again would fail again.

A kind may also have a ``fresh`` step: the payload read anew from the database just before the row is sent, for a
live card whose changes do not each rewrite its row (a poll's counts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from classroom.outbox import FreshPayload

Activity = dict[str, Any]
Renderer = Callable[[dict[str, Any]], Activity]

TEXT_FORMATS = frozenset({"plain", "markdown", "xml"})


class RenderError(Exception):
    """The payload cannot be turned into an activity (unknown kind, missing field, wrong type)."""


class RendererRegistry:
    def __init__(self) -> None:
        self._renderers: dict[str, Renderer] = {}
        self._fresh: dict[str, FreshPayload] = {}

    def register(
        self, kind: str, renderer: Renderer, *, replace: bool = False, fresh: FreshPayload | None = None
    ) -> None:
        if kind in self._renderers and not replace:
            raise ValueError(f"a renderer for {kind!r} is already registered")
        self._renderers[kind] = renderer
        if fresh is not None:
            self._fresh[kind] = fresh
        else:
            self._fresh.pop(kind, None)

    def fresh(self, kind: str) -> FreshPayload | None:
        """The kind's step that reads its payload anew before it is sent, if it has one."""
        return self._fresh.get(kind)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._renderers)

    def render(self, kind: str, payload: dict[str, Any]) -> Activity:
        renderer = self._renderers.get(kind)
        if renderer is None:
            raise RenderError(f"no renderer for notification kind {kind!r}")
        try:
            activity = renderer(payload)
        except RenderError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise RenderError(f"cannot render {kind!r}: {type(error).__name__}: {error}") from error
        activity.setdefault("type", "message")
        return activity


def render_text(payload: dict[str, Any]) -> Activity:
    """``{"text": "...", "format": "plain" | "markdown" | "xml"}`` -> a message activity."""
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RenderError("a text notification needs a non-empty 'text'")
    text_format = payload.get("format", "plain")
    if text_format not in TEXT_FORMATS:
        raise RenderError(f"unknown text format {text_format!r}")
    return {"type": "message", "text": text, "textFormat": text_format}


def default_renderers() -> RendererRegistry:
    registry = RendererRegistry()
    registry.register("text", render_text)
    return registry
