"""``GET /exports/polls/{token}.csv``: poll answers as a CSV download, behind an unguessable, expiring link.

As for calendar links the token is the only credential (a browser opens it without signing in): 256 random bits,
stored only as a hash, issued to one trainer or coordinator and short-lived (``POLL_EXPORT_LINK_MINUTES``).
Unknown, expired and no-longer-entitled links get the same 404, so a probe learns nothing; the answer is never
cached, nor its address passed on as a referrer.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.downloads import Download, add_download_route
from classroom.polls.service import PollService
from dialogs.polls.links import EXPORT_PATH_PREFIX

EXPORT_ROUTE = "poll-export"
_GONE = (
    "This download link has expired or does not exist. In Teams, press Download answers (CSV) on the poll's card "
    'or type "poll results N" for a new one.\n'
)


def add_poll_export_routes(app: web.Application, polls: Callable[[web.Request], PollService]) -> None:
    """Serve poll answer downloads on ``app``; ``polls(request)`` gives the running bot's poll service."""

    async def export(request: web.Request) -> Download:
        file = await polls(request).export_file(request.match_info["token"])
        return Download(file.filename, file.content, "text/csv; charset=utf-8")

    add_download_route(app, EXPORT_ROUTE, f"{EXPORT_PATH_PREFIX}{{token}}.csv", export, gone=_GONE)
