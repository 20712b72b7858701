"""How the enrolment notices look when the outbox sends them (kinds and payloads: ``classroom.enrolment.notices``).

Times are shown in the configured zone when the message is sent, so a reminder's local time is right across
daylight saving.
"""

from __future__ import annotations

from classroom.enrolment import notices
from dialogs.enrolment.cards.clash_review import build_clash_decision_card, build_clash_review_card
from dialogs.enrolment.cards.organisation_check import build_organisation_check_card, build_organisation_decided_card
from dialogs.enrolment.cards.reminders import build_reminder_card, build_trainer_reminder_card
from dialogs.enrolment.cards.session_moved import build_session_moved_card, build_trainer_session_moved_card
from dialogs.enrolment.cards.waitlist_offer import build_offer_lapsed_card, build_waitlist_offer_card
from dialogs.enrolment.cards.withdrawn import build_withdrawn_notice_card
from dialogs.feature import Notification

NOTIFICATIONS = (
    Notification(notices.ReminderNotice, build_reminder_card),
    Notification(notices.TrainerReminderNotice, build_trainer_reminder_card),
    Notification(notices.ClashReviewNotice, build_clash_review_card),
    Notification(notices.ClashDecisionNotice, build_clash_decision_card),
    Notification(notices.WaitlistOfferNotice, build_waitlist_offer_card),
    Notification(notices.OfferLapsedNotice, build_offer_lapsed_card),
    Notification(notices.SessionMovedNotice, build_session_moved_card),
    Notification(notices.TrainerSessionMovedNotice, build_trainer_session_moved_card),
    Notification(notices.WithdrawnNotice, build_withdrawn_notice_card),
    Notification(notices.OrganisationCheckNotice, build_organisation_check_card),
    Notification(notices.OrganisationDecidedNotice, build_organisation_decided_card),
)
