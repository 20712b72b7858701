"""``GET /cpd/{token}.docx`` and ``.csv``: a person's CPD log for one registration year, behind an unguessable link
that expires within the hour (``classroom.reflection.export_links``). Unknown, expired and malformed links get the
same 404, so a probe learns nothing; nothing is cached on the way."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.downloads import Download, add_download_route
from classroom.errors import NotFound
from classroom.reflection.errors import ReflectionsNotSetUp
from classroom.reflection.service import ReflectionService
from dialogs.reflection.links import CPD_PATH_PREFIX

CPD_ROUTE = "reflection-cpd-download"
_GONE = 'This download link has expired or does not exist. In Teams, type "my cpd" for a new one.\n'


def add_cpd_routes(app: web.Application, reflection: Callable[[web.Request], ReflectionService]) -> None:
    """Serve CPD downloads on ``app``; ``reflection(request)`` gives the running bot's reflection service."""

    async def download(request: web.Request) -> Download:
        file = await reflection(request).export_file(request.match_info["token"], request.match_info["kind"])
        return Download(file.filename, file.content, file.content_type)

    path = f"{CPD_PATH_PREFIX}{{token}}.{{kind:docx|csv}}"
    add_download_route(app, CPD_ROUTE, path, download, gone=_GONE, not_found=(NotFound, ReflectionsNotSetUp))
