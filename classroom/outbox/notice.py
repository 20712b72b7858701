"""``Notice``: the typed payload of one kind of notification.

Each kind of message a feature puts in the outbox is a ``Notice`` subclass naming its ``KIND``
(``"<feature>.<message>"``, e.g. ``"enrolment.reminder"``). The payload is all the host's renderer gets (it has
no database), so a notice carries everything its card shows; times are UTC and the renderer shows them in the
configured timezone, which keeps daylight-saving changes right.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field


class NoticePart(BaseModel):
    """A piece of a notice's payload (a run, a session): plain, immutable data."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Notice(NoticePart):
    KIND: ClassVar[str]

    def payload(self) -> dict[str, Any]:
        """As stored in the outbox row (JSON)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        """Back from a stored payload; raises ``pydantic.ValidationError`` (a ``ValueError``) when it does not fit."""
        return cls.model_validate(payload)


class TextNotice(Notice):
    """A plain message: operators' tests, and anything that needs no card."""

    KIND: ClassVar[str] = "text"
    text: str = Field(min_length=1, max_length=20_000)
    format: Literal["plain", "markdown", "xml"] = "plain"


class ErasedNotice(Notice):
    """What a message Teams already shows becomes when the person it was about is erased: the card in people's
    chats is replaced with this, which says nothing of them."""

    KIND: ClassVar[str] = "outbox.erased"
