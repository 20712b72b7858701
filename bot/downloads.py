"""One way to serve a download behind an unguessable, expiring link (calendar, poll answers, my data, CPD log).

The token in the path is the only credential (a browser or calendar app opens it without signing in), so every
download answers alike: unknown, expired and no-longer-entitled links get the same 404 (a probe learns nothing),
a busy database a 503 with ``Retry-After``, and nothing is cached or passed on as a referrer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from classroom.errors import NotFound, TryAgain

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes
    content_type: str  # with its charset where it has one: "text/csv; charset=utf-8"


def add_download_route(
    app: web.Application,
    name: str,
    path: str,
    fetch: Callable[[web.Request], Awaitable[Download]],
    *,
    gone: str,
    not_found: tuple[type[Exception], ...] = (NotFound,),
) -> None:
    """Serve ``GET path`` (with ``{token}`` in it) as ``fetch(request)`` gives it; ``gone`` is what a dead link
    says. Safe to call twice (the second call does nothing), e.g. from ``create_app`` and from a test."""
    if name in app.router.named_resources():
        return

    async def download(request: web.Request) -> web.Response:
        try:
            file = await fetch(request)
        except not_found:
            return web.Response(status=404, text=gone, headers=_PRIVATE)
        except TryAgain:
            return web.Response(status=503, text="Busy; please try again.\n", headers={**_PRIVATE, "Retry-After": "2"})
        disposition = f'attachment; filename="{file.filename}"'
        headers = {**_PRIVATE, "Content-Type": file.content_type, "Content-Disposition": disposition}
        return web.Response(body=file.content, headers=headers)

    app.router.add_get(path, download, name=name)
