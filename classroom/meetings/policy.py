"""The meetings feature's settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from classroom.errors import InvalidInput
from classroom.evaluation.policy import EvaluationTiming
from classroom.reflection.policy import ReflectionTiming


@dataclass(frozen=True)
class MeetingPolicy:
    """Attributes:
    attended_percent: the share of a session someone must be present for to count as attended
        (``ATTENDANCE_SHARE_PERCENT``, 75 by default); less is "partly".
    reflection: when prompts go (the meeting's end brings them forward to then).
    evaluation: when the evaluation's surveys go (the last meeting's end brings the "after" survey forward).
    """

    attended_percent: int = 75
    reflection: ReflectionTiming = field(default_factory=ReflectionTiming)
    evaluation: EvaluationTiming = field(default_factory=EvaluationTiming)

    def __post_init__(self) -> None:
        if not 1 <= self.attended_percent <= 100:
            raise InvalidInput("the attended share must be between 1 and 100 per cent")
