"""``GET /calendar/{token}.ics``: an enrolment's sessions as an iCalendar download, behind an unguessable link.

The token is the only credential (a calendar app fetches the link without signing in), so it is 256 random
bits, stored only as a hash, and expires. Once the place is given up the same link gives the cancellation of
its events, so a calendar that subscribed to it, or a person opening it again, drops them. Unknown and expired
links get the same 404, so a probe learns nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.downloads import Download, add_download_route
from classroom.enrolment.service import EnrolmentService
from dialogs.enrolment.links import CALENDAR_PATH_PREFIX

CALENDAR_ROUTE = "enrolment-calendar"
_GONE = 'This calendar link has expired or does not exist. In Teams, type "my courses" for a new one.\n'


def add_calendar_routes(app: web.Application, enrolment: Callable[[web.Request], EnrolmentService]) -> None:
    """Serve calendar downloads on ``app``; ``enrolment(request)`` gives the running bot's enrolment service."""

    async def calendar(request: web.Request) -> Download:
        file = await enrolment(request).calendar_file(request.match_info["token"])
        return Download(file.filename, file.content, "text/calendar; charset=utf-8")

    add_download_route(app, CALENDAR_ROUTE, f"{CALENDAR_PATH_PREFIX}{{token}}.ics", calendar, gone=_GONE)
