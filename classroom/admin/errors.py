"""Refusals of administration, beside the domain's general ``NotAllowed`` / ``NotFound`` / ``InvalidInput``."""

from __future__ import annotations

from classroom.errors import NotAllowed


class LastAdmin(NotAllowed):
    """Revoking this admin role would leave nobody who can grant it again."""
