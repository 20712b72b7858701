"""``GET /certificates/{token}.pdf``: a certificate of attendance as a PDF, behind an unguessable link issued to its
holder (``classroom.certificates.links``). Unknown, expired and malformed links get the same 404, so a probe learns
nothing; nothing is cached on the way."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.downloads import Download, add_download_route
from classroom.certificates.service import CertificateService
from dialogs.certificates.links import CERTIFICATE_PATH_PREFIX

CERTIFICATE_ROUTE = "certificate-download"
_GONE = 'This download link has expired or does not exist. In Teams, type "my certificates" for a new one.\n'


def add_certificate_routes(app: web.Application, certificates: Callable[[web.Request], CertificateService]) -> None:
    """Serve certificate PDFs on ``app``; ``certificates(request)`` gives the running bot's certificate service."""

    async def download(request: web.Request) -> Download:
        file = await certificates(request).pdf(request.match_info["token"])
        return Download(file.filename, file.content, file.content_type)

    add_download_route(app, CERTIFICATE_ROUTE, f"{CERTIFICATE_PATH_PREFIX}{{token}}.pdf", download, gone=_GONE)
