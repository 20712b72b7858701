"""Typed errors of the evaluation."""

from __future__ import annotations

from classroom.errors import ClassroomError, InvalidInput


class SurveyClosed(ClassroomError):
    """The survey can no longer (or cannot yet) be answered: the course began, or the answer window ended."""


class SurveyIncomplete(InvalidInput):
    """An answer that does not fit the survey (a confidence item left out, a value out of range, text too long)."""
