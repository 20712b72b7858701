"""``GET /exports/evaluation/{token}.csv``: a run's evaluation report as CSV, behind an unguessable, expiring link
issued to one trainer or coordinator (``EVALUATION_EXPORT_LINK_MINUTES``); served like every download
(``bot.downloads``): unknown, expired and no-longer-entitled links alike get a 404."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.downloads import Download, add_download_route
from classroom.evaluation.service import EvaluationService
from dialogs.evaluation.links import EXPORT_PATH_PREFIX

EXPORT_ROUTE = "evaluation-export"
_GONE = (
    "This download link has expired or does not exist. In Teams, press Download report (CSV) on the evaluation "
    'card or type "evaluation export RUN" for a new one.\n'
)


def add_evaluation_routes(app: web.Application, evaluation: Callable[[web.Request], EvaluationService]) -> None:
    """Serve evaluation report downloads on ``app``; ``evaluation(request)`` gives the running bot's service."""

    async def export(request: web.Request) -> Download:
        file = await evaluation(request).export_file(request.match_info["token"])
        return Download(file.filename, file.content, "text/csv; charset=utf-8")

    add_download_route(app, EXPORT_ROUTE, f"{EXPORT_PATH_PREFIX}{{token}}.csv", export, gone=_GONE)
