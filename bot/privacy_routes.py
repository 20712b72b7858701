"""``GET /my-data/{token}.json``: everything held about one person, as a JSON download behind an unguessable link.

Like the calendar links: the token is the only credential, 256 random bits stored only as a hash, and it expires.
The file is built when the link is opened (never stored), so it shows what is held at that moment, and an erased
person's link opens nothing. Unknown and expired links get the same 404, so a probe learns nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.downloads import Download, add_download_route
from classroom.privacy.service import PrivacyService
from dialogs.privacy.links import MY_DATA_PATH_PREFIX

MY_DATA_ROUTE = "privacy-my-data"
_GONE = 'This download link has expired or does not exist. In Teams, type "my data" for a new one.\n'


def add_privacy_routes(app: web.Application, privacy: Callable[[web.Request], PrivacyService]) -> None:
    """Serve "my data" downloads on ``app``; ``privacy(request)`` gives the running bot's privacy service."""

    async def my_data(request: web.Request) -> Download:
        filename, content = await privacy(request).export_file(request.match_info["token"])
        return Download(filename, content, "application/json; charset=utf-8")

    add_download_route(app, MY_DATA_ROUTE, f"{MY_DATA_PATH_PREFIX}{{token}}.json", my_data, gone=_GONE)
