"""Typed errors of reflection and the CPD log."""

from __future__ import annotations

from classroom.errors import ClassroomError


class ReflectionsNotSetUp(ClassroomError):
    """No key to seal reflections with is configured (REFLECTION_KEYS)."""
