"""How the congratulations card looks when the outbox sends it (``classroom.certificates.notices``)."""

from __future__ import annotations

from classroom.certificates.notices import CertificateIssuedNotice
from dialogs.certificates.cards import build_issued_card
from dialogs.feature import Notification

NOTIFICATIONS = (Notification(CertificateIssuedNotice, build_issued_card),)
