"""``GET /exports/attendance/{token}.csv``: a run's attendance as a CSV download, behind an unguessable, expiring
link issued to one trainer or coordinator (``ATTENDANCE_EXPORT_LINK_MINUTES``); unknown, expired and
no-longer-entitled links all get the same 404 (``bot.downloads``)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.downloads import Download, add_download_route
from classroom.meetings.service import MeetingService
from dialogs.meetings.links import EXPORT_PATH_PREFIX

EXPORT_ROUTE = "attendance-export"
_GONE = 'This download link has expired or does not exist. In Teams, type "attendance RUN" for a new one.\n'


def add_attendance_export_routes(app: web.Application, meetings: Callable[[web.Request], MeetingService]) -> None:
    async def export(request: web.Request) -> Download:
        file = await meetings(request).export_file(request.match_info["token"])
        return Download(file.filename, file.content, "text/csv; charset=utf-8")

    add_download_route(app, EXPORT_ROUTE, f"{EXPORT_PATH_PREFIX}{{token}}.csv", export, gone=_GONE)
