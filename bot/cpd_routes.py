"""``GET /cpd/{token}.docx`` and ``.csv``: a person's CPD log for one registration year, behind an unguessable link
that expires within the hour (``classroom.reflection.export_links``). Unknown, expired and malformed links get the
same 404, so a probe learns nothing; nothing is cached on the way."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from classroom.errors import NotFound, TryAgain
from classroom.reflection.errors import ReflectionsNotSetUp
from classroom.reflection.service import ReflectionService
from dialogs.reflection.links import CPD_PATH_PREFIX

CPD_ROUTE = "reflection-cpd-download"
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
_GONE = 'This download link has expired or does not exist. In Teams, type "my cpd" for a new one.\n'


def add_cpd_routes(app: web.Application, reflection: Callable[[web.Request], ReflectionService]) -> None:
    """Serve CPD downloads on ``app``; safe to call twice."""
    if CPD_ROUTE in app.router.named_resources():
        return

    async def download(request: web.Request) -> web.Response:
        try:
            file = await reflection(request).export_file(request.match_info["token"], request.match_info["kind"])
        except (NotFound, ReflectionsNotSetUp):
            return web.Response(status=404, text=_GONE, headers=_PRIVATE)
        except TryAgain:
            return web.Response(status=503, text="Busy; please try again.\n", headers={**_PRIVATE, "Retry-After": "2"})
        return web.Response(
            body=file.content,
            headers={
                **_PRIVATE,
                "Content-Type": file.content_type,
                "Content-Disposition": f'attachment; filename="{file.filename}"',
            },
        )

    app.router.add_get(f"{CPD_PATH_PREFIX}{{token}}.{{kind:docx|csv}}", download, name=CPD_ROUTE)
