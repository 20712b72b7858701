"""When reflection prompts and their one nudge go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from classroom.errors import InvalidInput


@dataclass(frozen=True)
class ReflectionTiming:
    """Attributes:
    delay: after a session's end, how long until its prompt (people leave the meeting, have a breather).
    nudge_after: after the prompt, when one gentle nudge goes if the reflection is unfinished (never after skip).
    catch_up: a prompt whose time passed longer ago than this when it is planned (a place confirmed after the
        session, a session moved into the past) is not sent: a prompt about last week's session is no prompt.
    """

    delay: timedelta = timedelta(minutes=15)
    nudge_after: timedelta = timedelta(days=3)
    catch_up: timedelta = timedelta(hours=12)

    def __post_init__(self) -> None:
        if self.delay < timedelta(0) or self.nudge_after <= timedelta(0) or self.catch_up < timedelta(0):
            raise InvalidInput("the reflection delay must not be negative and the nudge must come after the prompt")
