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

    markers: every string that identifies the person or that they wrote (their id, name, email, messages,
        reasons), gathered from every feature first: copies of them elsewhere (notification payloads, dialog
        state) are found by these.
    pseudonym: the Entra-object-id-shaped stand-in written where a record must be kept (an anonymised booking, an
        audit entry), never the same for two erasures.
    keep_records: how long records the provider must keep (bookings) are kept, anonymised, after their course.
    """

    subject: Subject
    markers: frozenset[str]
    pseudonym: str
    now: datetime
    keep_records: timedelta

    def mentions(self, value: Any) -> bool:
        """Whether a string, or any string inside a JSON document, contains one of the markers."""
        if isinstance(value, str):
            return any(marker in value for marker in self.markers)
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


MIN_MARKER = 4  # shorter strings ("Al", "ok") would match too much of other people's data


def strong_markers(values: set[str | None]) -> set[str]:
    """The strings worth searching for: long enough to name this person rather than anyone."""
    return {v.strip() for v in values if v and len(v.strip()) >= MIN_MARKER}


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
        """Strings the person wrote that may have been copied elsewhere (messages, reasons)."""
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
