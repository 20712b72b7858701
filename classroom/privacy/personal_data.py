"""The interface every feature implements for the personal data it stores (as Moodle's privacy API does for its
plugins): which tables and columns hold it, how to export one person's, erase it, and purge what is past its
retention period.

A feature's implementation lives beside its domain (``classroom/<feature>/privacy.py``) and is registered with its
``Feature`` (``personal_data=``), so data protection grows with the features instead of a central list knowing every
table. A test walks every table of the schema and fails for a table no implementation declares, or a column that
looks personal (names, ids, emails, free text) that its table's declaration does not list.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

ERASED_NAME = "Erased person"


@dataclass(frozen=True)
class Subject:
    """The person whose data it is: their Entra object id, and what we know them by (``person_id`` None when they
    have no ``people`` row)."""

    aad_object_id: str
    person_id: int | None = None
    name: str = ""
    email: str | None = None


@dataclass(frozen=True)
class Section:
    """One feature's part of a person's data: ``lines`` for the summary card (plain words, each the person's own
    data), ``data`` for the JSON file (everything, JSON-serialisable)."""

    title: str
    lines: tuple[str, ...]
    data: Any


@dataclass(frozen=True)
class Erasure:
    """What an erasure works with.

    markers: strings that identify the person or that they wrote, long enough to be theirs alone (their id, email,
        1:1 chat, messages and reasons of at least ``MIN_SUBSTRING`` characters), gathered from every feature first:
        copies of them elsewhere (notification payloads, dialog state) contain one of these.
    exact: strings that are theirs only as a whole value (their name; a short reply such as "Thank you", which
        inside someone else's longer message is no trace of them).
    pseudonym: the Entra-object-id-shaped stand-in written where a record must be kept (an anonymised booking, an
        audit entry), never the same for two erasures.
    keep_records: how long records the provider must keep (bookings) are kept, anonymised, after their course.
    """

    subject: Subject
    markers: frozenset[str]
    pseudonym: str
    now: datetime
    keep_records: timedelta
    exact: frozenset[str] = frozenset()

    def mentions(self, value: Any) -> bool:
        """Whether a string, or any string inside a JSON document, is or contains something of the person's."""
        if isinstance(value, str):
            return value.strip() in self.exact or any(marker in value for marker in self.markers)
        if isinstance(value, dict):
            return any(self.mentions(k) or self.mentions(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(self.mentions(v) for v in value)
        return False

    def scrubbed(self, value: Any) -> Any:
        """A JSON document with every string that mentions the person emptied (keys kept, so its shape stays)."""
        if isinstance(value, str):
            return "" if self.mentions(value) else value
        if isinstance(value, dict):
            return {k: self.scrubbed(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrubbed(v) for v in value]
        return value


MIN_SUBSTRING = 24  # shorter words of theirs ("Thank you", "Social worker") are found only as whole values


def split_markers(values: set[str | None]) -> tuple[set[str], set[str]]:
    """(found inside longer strings, found only as whole values): a long message is theirs wherever it appears; a
    short one only where it is the whole value."""
    words = {v.strip() for v in values if v and v.strip()}
    return {w for w in words if len(w) >= MIN_SUBSTRING}, {w for w in words if len(w) < MIN_SUBSTRING}


@dataclass(frozen=True)
class Retention:
    """How long each kind of data is kept (``RETENTION_*`` settings), by kind name."""

    periods: Mapping[str, timedelta] = field(default_factory=dict)

    def period(self, kind: str) -> timedelta:
        return self.periods[kind]


class PersonalData(ABC):
    """One feature's personal data.

    ``tables``: every table the feature owns, to the columns holding personal data (an empty set: reviewed, holds
    none). A column that looks personal but is not (a course title) goes in ``not_personal``.
    """

    tables: ClassVar[Mapping[str, frozenset[str]]]
    not_personal: ClassVar[Mapping[str, frozenset[str]]] = {}
    # Erasures run in this order: what finds rows through others (dialog state through the person's chats, bookings
    # through their ``people`` row) runs before those are erased.
    erase_order: ClassVar[int] = 50

    async def markers(self, session: AsyncSession, subject: Subject) -> set[str]:
        """Strings of the person's that may have been copied elsewhere (their messages, reasons, the name they gave):
        long ones are looked for inside other strings, short ones only as whole values (``split_markers``)."""
        return set()

    @abstractmethod
    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        """The person's data in this feature; None when there is none."""

    async def kept(self, session: AsyncSession, subject: Subject) -> list[str]:
        """What an erasure would keep (anonymised), in plain words for the confirmation card."""
        return []

    @abstractmethod
    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        """Delete or anonymise the person's data in the caller's transaction; counts by what was done."""

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        """Delete what is past its retention period; counts by kind."""
        return {}
