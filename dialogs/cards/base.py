"""Adaptive Card building blocks (schema 1.5, what Teams renders) and the plain-text fallback.

Text we wrote goes in TextBlocks (which render a little markdown); text a person typed goes in a
RichTextBlock TextRun, which Teams shows literally, so nobody can inject links, mentions or formatting.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"

Element = dict[str, Any]


@dataclass(frozen=True)
class CardMessage:
    """A card plus the plain text for clients, notifications and screen readers that can't show it."""

    card: dict[str, Any]
    fallback_text: str

    @cached_property
    def summary(self) -> str:
        """The fallback's first line (worked out once: kept catalogue cards are shown many times)."""
        return self.fallback_text.splitlines()[0] if self.fallback_text else ""

    def message_json(self) -> dict[str, Any]:
        """The message activity carrying this card, as JSON (what the outbox sends)."""
        return {
            "type": "message",
            "summary": self.summary,
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": self.card}],
        }


def heading(text: str, *, size: str = "Large") -> Element:
    return {
        "type": "TextBlock",
        "text": text,
        "style": "heading",
        "size": size,
        "weight": "Bolder",
        "wrap": True,
    }


def text(value: str, *, subtle: bool = False, weight: str | None = None, spacing: str | None = None) -> Element:
    block: Element = {"type": "TextBlock", "text": value, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    if weight:
        block["weight"] = weight
    if spacing:
        block["spacing"] = spacing
    return block


def literal(value: str) -> Element:
    """Text from a person, shown exactly as typed (no markdown, links or mentions)."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": value}]}


def field_row(label: str, value: str) -> Element:
    """A label of ours beside a value someone typed (a name, an answer), the value shown exactly as typed."""
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {
                "type": "Column",
                "width": "110px",
                "items": [{"type": "TextBlock", "text": label, "weight": "Bolder", "wrap": True}],
            },
            {"type": "Column", "width": "stretch", "items": [literal(value)]},
        ],
    }


def facts(pairs: list[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in pairs]}


def bullet_list(items: list[str], *, numbered: bool = False) -> Element:
    lines = [f"{i}. {item}" if numbered else f"- {item}" for i, item in enumerate(items, start=1)]
    return {"type": "TextBlock", "text": "\n".join(lines), "wrap": True}


def container(items: list[Element], *, separator: bool = False, style: str | None = None) -> Element:
    block: Element = {"type": "Container", "items": items}
    if separator:
        block["separator"] = True
        block["spacing"] = "Medium"
    if style:
        block["style"] = style
    return block


def submit(title: str, verb: str, args: str = "", *, style: str | None = None) -> Element:
    """A button that sends the bot a command (``verb`` plus its ``args``), exactly as if typed."""
    action: Element = {"type": "Action.Submit", "title": title, "data": {"verb": verb, "args": args}}
    if style:
        action["style"] = style
    return action


def execute(
    title: str, verb: str, data: dict[str, Any], *, style: str | None = None, fallback: Element | None = None
) -> Element:
    """A button answered at once (an ``adaptiveCard/action`` invoke); the bot's answer replaces the card.

    ``fallback``: what Teams clients without Universal Actions show instead (an ``Action.Submit`` command that
    does the same), as Microsoft advises for every ``Action.Execute``."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb, "data": data}
    if style:
        action["style"] = style
    if fallback is not None:
        action["fallback"] = fallback
    return action


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def card(body: list[Element], actions: list[Element] | None = None) -> CardMessage:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        content["actions"] = actions
    fallback = plain_text_of(content)
    content["fallbackText"] = fallback
    return CardMessage(content, fallback)


def _own_lines(element: dict[str, Any]) -> list[str]:
    """What one element says itself, as plain text (its children are read separately)."""
    kind = element.get("type")
    if kind == "TextBlock":
        return [element["text"]]
    if kind == "RichTextBlock":
        return ["".join(run.get("text", "") for run in element.get("inlines", []))]
    if kind == "FactSet":
        return [f"{fact['title']}: {fact['value']}" for fact in element["facts"]]
    if kind == "Action.OpenUrl":
        return [f"{element['title']}: {element['url']}"]
    if kind == "Action.Submit":
        data = element.get("data", {})
        typed = " ".join(part for part in (data.get("verb", ""), data.get("args", "")) if part)
        return [f"{element['title']} (type: {typed})" if typed else element["title"]]
    if kind == "Action.Execute" and isinstance(element.get("fallback"), dict):
        return _own_lines(element["fallback"])  # what a client without Universal Actions shows: what to type
    if kind == "Input.ChoiceSet":
        choices = element.get("choices", [])
        return [element.get("label", ""), *(f"- {c['title']} (type: {c['value']})" for c in choices)]
    return []


def plain_text_of(content: dict[str, Any]) -> str:
    """The card read top to bottom as plain text (used as its fallback, so the two never drift)."""
    lines: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, list):
            for item in element:
                walk(item)
            return
        if not isinstance(element, dict):
            return
        lines.extend(_own_lines(element))
        if element.get("type") == "RichTextBlock":
            return
        for key in ("items", "columns", "body", "actions"):
            if key in element:
                walk(element[key])

    walk(content.get("body", []))
    walk(content.get("actions", []))
    return "\n".join(line for line in lines if line)
