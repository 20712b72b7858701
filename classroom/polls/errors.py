"""Refusals of the poll domain; dialogs turn them into words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from classroom.errors import ClassroomError, InvalidInput, NotFound

if TYPE_CHECKING:
    from classroom.polls.views import PollView


class NotLinked(NotFound):
    """The chat is linked to no course run (``link RUN`` first)."""


class PollClosed(ClassroomError):
    """The poll closed before this vote: the final results come with the refusal."""

    def __init__(self, view: PollView) -> None:
        super().__init__("this poll is closed")
        self.view = view


class AnswerLocked(ClassroomError):
    """The poll does not let people change their answer, and this person has answered."""

    def __init__(self, view: PollView, chosen: str) -> None:
        super().__init__("answers to this poll cannot be changed")
        self.view = view
        self.chosen = chosen


class NotAnOption(InvalidInput):
    """The card sent an answer that is not one of this poll's options."""
