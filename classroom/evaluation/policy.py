"""When the evaluation's cards go, how long answers are taken, and how small a group gets no breakdown."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from classroom.errors import InvalidInput

MIN_GROUP = 5  # fewer matched pairs (or answers) than this: no breakdown, it could identify people


class BeforeAt(enum.StrEnum):
    CONFIRMED = "confirmed"  # the "before" card goes when the place is confirmed
    FIRST_SESSION = "first-session"  # ... or when the first session starts


@dataclass(frozen=True)
class EvaluationTiming:
    """Attributes:
    before_at: when the "before" card goes (``EVALUATION_BEFORE``); never once the first session has begun.
    after_open: how long after the last session ends the "after" card can still be answered (and sent).
    report_delay: how long after the last session ends the report goes to the trainers and coordinators; never
        before ``after_open`` has passed (the report has no figures while answers are still taken).
    """

    before_at: BeforeAt = BeforeAt.CONFIRMED
    after_open: timedelta = timedelta(days=14)
    report_delay: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if self.after_open <= timedelta(0) or self.report_delay < timedelta(0):
            raise InvalidInput("the evaluation's answer window must be positive and its report delay not negative")
