"""Certificates of attendance as people see them: the congratulations card, ``my certificates`` with download
links, and ``certificate CODE`` for anyone who wants to check one. Issued by ``classroom.certificates.issuing``
(the meetings feature calls it when a run's last session ends)."""

from classroom.certificates.privacy import CertificateData
from dialogs.certificates.commands import router
from dialogs.certificates.notifications import NOTIFICATIONS
from dialogs.feature import Feature

feature = Feature(
    name="certificates",
    commands=router,
    notifications=NOTIFICATIONS,
    personal_data=[CertificateData()],
)
