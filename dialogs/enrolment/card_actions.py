"""Enrolment's buttons answered in place (``Action.Execute``), by verb: the decisions on a clash review and on a
waitlist offer (``decision_actions``), the reschedule confirmation (``reschedule_actions``) and the coordinators'
organisation check (``organisation_actions``)."""

from __future__ import annotations

from dialogs.card_actions import CardActionRouter
from dialogs.enrolment.cards.clash_review import CLASH_ACCEPT, CLASH_DECLINE
from dialogs.enrolment.cards.organisation_check import ORGANISATION_CONFIRM, ORGANISATION_CORRECT
from dialogs.enrolment.cards.parts import OFFER_ACCEPT, OFFER_DECLINE
from dialogs.enrolment.cards.reschedule import CANCEL, CONFIRM
from dialogs.enrolment.decision_actions import answer_offer, decide_clash
from dialogs.enrolment.organisation_actions import act as decide_organisation
from dialogs.enrolment.reschedule_actions import cancel, confirm

router = CardActionRouter()
router.verb(CLASH_ACCEPT, decide_clash)
router.verb(CLASH_DECLINE, decide_clash)
router.verb(OFFER_ACCEPT, answer_offer)
router.verb(OFFER_DECLINE, answer_offer)
router.verb(CONFIRM, confirm)
router.verb(CANCEL, cancel)
router.verb(ORGANISATION_CONFIRM, decide_organisation)
router.verb(ORGANISATION_CORRECT, decide_organisation)
