"""How the survey card and the report card look when the outbox sends them (``classroom.evaluation.notices``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.evaluation.notices import ReportNotice, SurveyNotice
from dialogs.cards.base import CardMessage
from dialogs.evaluation.cards.report import build_report_card
from dialogs.evaluation.cards.survey import build_survey_card
from dialogs.feature import Notification


def _survey(notice: SurveyNotice, zone: ZoneInfo) -> CardMessage:
    return build_survey_card(notice, zone)


def _report(notice: ReportNotice, zone: ZoneInfo) -> CardMessage:
    return build_report_card(notice.report, zone)


NOTIFICATIONS = (Notification(SurveyNotice, _survey), Notification(ReportNotice, _report))
