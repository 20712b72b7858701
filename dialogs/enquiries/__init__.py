"""Enquiries as people see them: asking the training team, coordinators' cards, replies and the daily digest."""

from classroom.enquiries.digest import DIGEST_JOB_NAME
from classroom.enquiries.privacy import EnquiriesData
from dialogs.enquiries.card_actions import router as card_actions
from dialogs.enquiries.commands import router
from dialogs.enquiries.dialog import EnquiryDialog
from dialogs.enquiries.events import members_joined
from dialogs.enquiries.notifications import NOTIFICATIONS
from dialogs.enquiries.offer import offer_enquiry
from dialogs.feature import Events, Feature, Job

feature = Feature(
    name="enquiries",
    commands=router,
    card_actions=card_actions,
    dialogs=lambda services: [EnquiryDialog(services)],
    notifications=NOTIFICATIONS,
    # The job name must stay DIGEST_JOB_NAME: the digest reads its previous run to know what is new.
    jobs=lambda services: [
        Job(DIGEST_JOB_NAME, services.enquiries.policy.digest_cron, services.enquiries.digest_job())
    ],
    fallbacks=[offer_enquiry],
    events=Events(members_joined=members_joined),
    personal_data=[EnquiriesData()],
)
