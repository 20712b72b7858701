"""Wake dispatchers as soon as a transaction that queued a notification commits.

``classroom.outbox.enqueue`` marks its session (or, in ``classroom.transactions.in_transaction_on``'s work, its
transaction); these listeners see the mark at commit (never earlier, so a dispatcher cannot look before the row is
visible) and call every registered ``wake``. A rollback drops it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import event
from sqlalchemy.orm import Session

from classroom.outbox import ENQUEUED_FLAG
from classroom.transactions import after_commit_of_marks

_wakers: list[Callable[[], None]] = []


def _after_commit(session: Session) -> None:
    if session.info.pop(ENQUEUED_FLAG, False):
        for wake in list(_wakers):
            wake()


def _after_rollback(session: Session) -> None:
    session.info.pop(ENQUEUED_FLAG, None)


def _after_commit_of_marks(marks: Mapping[str, bool]) -> None:
    if marks.get(ENQUEUED_FLAG):
        for wake in list(_wakers):
            wake()


def wake_on_commit(wake: Callable[[], None]) -> Callable[[], None]:
    """Call ``wake`` after each commit that queued a notification; returns a function that stops it."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        after_commit_of_marks(_after_commit_of_marks)
    _wakers.append(wake)

    def remove() -> None:
        if wake in _wakers:
            _wakers.remove(wake)

    return remove
