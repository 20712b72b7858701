"""The notification outbox: the only code that writes the ``outbox`` table.

- ``notice``: the typed payload every kind of notification has.
- ``queue``: what features do inside their own transactions (enqueue, cancel, replace every sent copy).
- ``claims``: the host dispatcher's side (claim due rows under a lease, record each outcome).
- ``waiting``: what waited for a person's 1:1 chat goes once they install the app or write to the bot.
- ``status``: what operators see, and retrying a failed notification; ``service`` wraps it in transactions.
"""

from classroom.outbox.notice import Notice, NoticePart, TextNotice
from classroom.outbox.queue import (
    ENQUEUED_FLAG,
    HAS_DEDUPE_PREFIX,
    FreshPayload,
    Queued,
    ResentCopies,
    cancel_by_dedupe_prefix,
    cancel_by_dedupe_prefixes,
    cancel_by_dedupe_prefixes_on,
    checked_per_row,
    dedupe_prefix_params,
    enqueue,
    enqueue_many,
    enqueue_many_on,
    last_sent,
    mark_enqueued,
    replace_copies,
    replace_copies_on,
    resend_copies,
)
from classroom.outbox.status import (
    NotificationView,
    OutboxSummary,
    get_notification,
    outbox_summary,
    retry_notification,
)
from classroom.outbox.waiting import anything_waiting, deliver_waiting, deliver_waiting_on, waiting_for, waiting_since

__all__ = [
    "ENQUEUED_FLAG",
    "HAS_DEDUPE_PREFIX",
    "FreshPayload",
    "Notice",
    "NoticePart",
    "NotificationView",
    "OutboxSummary",
    "ResentCopies",
    "Queued",
    "TextNotice",
    "cancel_by_dedupe_prefix",
    "cancel_by_dedupe_prefixes",
    "cancel_by_dedupe_prefixes_on",
    "checked_per_row",
    "dedupe_prefix_params",
    "anything_waiting",
    "deliver_waiting",
    "deliver_waiting_on",
    "enqueue",
    "enqueue_many",
    "enqueue_many_on",
    "last_sent",
    "get_notification",
    "mark_enqueued",
    "outbox_summary",
    "replace_copies",
    "replace_copies_on",
    "resend_copies",
    "retry_notification",
    "waiting_for",
    "waiting_since",
]
