"""Typed errors the domain raises; dialogs turn them into words."""


class ClassroomError(Exception):
    """Base of every domain error."""


class NotFound(ClassroomError):
    """The thing asked for does not exist (an unknown course code, say)."""


class NotAllowed(ClassroomError):
    """The caller's stored roles do not permit this action."""


class InvalidInput(ClassroomError):
    """Input failed validation; the message says what and why."""


class TryAgain(ClassroomError):
    """The database stayed busy through every retry; nothing was changed, the request can be repeated."""
