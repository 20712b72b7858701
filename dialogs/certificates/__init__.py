"""Certificates of attendance as people see them: the congratulations card, ``my certificates`` with download
links, and ``certificate CODE`` for anyone who wants to check one. Issued by ``classroom.certificates.issuing``
(the meetings feature calls it when a run's last session ends)."""

from classroom.certificates.privacy import CertificateData
from dialogs.certificates.commands import router
from dialogs.certificates.notifications import NOTIFICATIONS
from dialogs.feature import Feature, Job

CPD_JOB = "certificates-cpd"  # never rename: the database guards each minute's run by this name
CPD_CRON = "* * * * *"  # every minute: a certificate issued without the keys reaches the CPD log within a minute

feature = Feature(
    name="certificates",
    commands=router,
    notifications=NOTIFICATIONS,
    jobs=lambda services: [Job(CPD_JOB, CPD_CRON, services.certificates.cpd_job())],
    personal_data=[CertificateData()],
)
