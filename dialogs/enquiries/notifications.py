"""How the enquiry notices look when the outbox sends them (kinds and payloads: ``classroom.enquiries.notices``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enquiries.digest import Digest
from classroom.enquiries.notices import EnquiryCardNotice, EnquiryFollowupNotice, EnquiryReplyNotice
from dialogs.cards.base import CardMessage
from dialogs.enquiries.cards.coordinator import build_enquiry_card
from dialogs.enquiries.cards.digest import build_enquiry_digest_card
from dialogs.enquiries.cards.followup import build_enquiry_followup_card
from dialogs.enquiries.cards.reply import build_enquiry_reply_card
from dialogs.feature import Notification


def _coordinator_card(notice: EnquiryCardNotice, zone: ZoneInfo) -> CardMessage:
    return build_enquiry_card(notice.enquiry, zone)


def _reply(notice: EnquiryReplyNotice, zone: ZoneInfo) -> CardMessage:
    return build_enquiry_reply_card(notice.reference, notice.kind.value, notice.from_name, notice.text, notice.at, zone)


def _followup(notice: EnquiryFollowupNotice, zone: ZoneInfo) -> CardMessage:
    return build_enquiry_followup_card(
        notice.reference, notice.enquirer_name, notice.text, notice.at, zone, reopened=notice.reopened
    )


NOTIFICATIONS = (
    Notification(EnquiryCardNotice, _coordinator_card),
    Notification(EnquiryReplyNotice, _reply),
    Notification(EnquiryFollowupNotice, _followup),
    Notification(Digest, build_enquiry_digest_card),
)
