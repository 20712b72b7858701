"""What the reflection service returns: plain, immutable data. Only the author's own calls return their words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from classroom.reflection.notices import ReflectionPromptNotice
from storage.models import ReflectionStatus


@dataclass(frozen=True)
class ReflectionState:
    status: ReflectionStatus
    answers: dict[str, str] = field(default_factory=dict)
    outcome_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PromptView:
    """A prompt as its author sees it: the session and questions, and what they saved so far."""

    prompt: ReflectionPromptNotice
    state: ReflectionState
    cpd_entry_id: int | None = None


@dataclass(frozen=True)
class CpdFields:
    """The text fields of Social Work England's CPD form (and two of ours from the prompt)."""

    title: str
    description: str  # a short description of the activity and why it is relevant
    learnt: str
    impact: str  # the positive impact on your practice and the people you work with
    peer: str = ""  # what you learnt from discussing it with a peer
    try_first: str = ""  # from the prompt's "now what?"; exported under impact
    feeling: str = ""  # from the prompt (Gibbs); private, not a form field
    outcomes: tuple[str, ...] = ()  # the course's learning outcomes the session addressed for the author


@dataclass(frozen=True)
class CpdEntryView:
    id: int
    registration_year: int
    activity_date: date
    cpd_type: str
    minutes: int
    fields: CpdFields
    from_course: bool

    @property
    def has_peer_reflection(self) -> bool:
        return bool(self.fields.peer.strip())


@dataclass(frozen=True)
class CpdLogView:
    registration_year: int
    entries: tuple[CpdEntryView, ...]
    with_peer_reflection: int
    other_years: tuple[int, ...]  # registration years with entries, newest first, this one excepted


@dataclass(frozen=True)
class SessionReflectionSummary:
    """What trainers see of a session's reflections: counts only, never anyone's words.

    ``outcome_counts`` (outcome text, times marked addressed) only when at least ``MIN_GROUP`` reflected, so a
    small group's marks cannot be traced to a person."""

    run_code: str
    session_position: int
    session_count: int
    reflected: int
    expected: int
    outcome_counts: tuple[tuple[str, int], ...] | None
