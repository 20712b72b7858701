"""The kinds of data the periodic purge removes once they are older than their period (``RETENTION_*`` settings).

Each feature's ``PersonalData.purge`` reads the period of its kinds by these names.
"""

from __future__ import annotations

CLOSED_ENQUIRIES = "closed_enquiries"  # enquiries closed this long ago, with their messages
FINISHED_NOTIFICATIONS = "finished_notifications"  # outbox rows sent, dead, undeliverable or cancelled this long ago
DOWNLOAD_LINKS = "download_links"  # download links (calendar, my data) expired this long ago
DIALOG_STATE = "dialog_state"  # a conversation's state untouched this long
POLL_ANSWERS = "poll_answers"  # who answered what in a named poll closed this long ago (the counts stay)
AUDIT_ENTRIES = "audit_entries"  # audit log entries this old
BOOKING_RECORDS = "booking_records"  # anonymised bookings of erased people, after their course's last session
# Reflections and CPD entries of someone gone this long: no 1:1 chat with the bot (removed, or never) and nothing
# written or changed in their log since.
REFLECTIONS_OF_THE_GONE = "reflections_of_the_gone"
# Who joined and left each session's meeting, and when, this long after the session (the register's outcome stays
# in corrections and completions).
ATTENDANCE_EVENTS = "attendance_events"
# Course evaluation answers stay findable as someone's (through the run's key) this long after the run's last
# session; then the key goes and the answers are anonymous statistics.
EVALUATION_KEYS = "evaluation_keys"

KINDS = (
    CLOSED_ENQUIRIES,
    FINISHED_NOTIFICATIONS,
    DOWNLOAD_LINKS,
    DIALOG_STATE,
    POLL_ANSWERS,
    AUDIT_ENTRIES,
    BOOKING_RECORDS,
    REFLECTIONS_OF_THE_GONE,
    ATTENDANCE_EVENTS,
    EVALUATION_KEYS,
)
