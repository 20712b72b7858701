"""The certificate feature's typed errors."""

from __future__ import annotations

from classroom.errors import ClassroomError


class NoFontForCertificates(ClassroomError):
    """No Unicode font was found to write certificates with (install Debian's fonts-dejavu-core)."""
