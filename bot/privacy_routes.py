"""``GET /my-data/{token}.json``: everything held about one person, as a JSON download behind an unguessable link.

Like the calendar links: the token is the only credential, 256 random bits stored only as a hash, and it expires.
The file is built when the link is opened (never stored), so it shows what is held at that moment, and an erased
person's link opens nothing. Unknown and expired links get the same 404, so a probe learns nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from classroom.errors import NotFound, TryAgain
from classroom.privacy.service import PrivacyService
from dialogs.privacy.links import MY_DATA_PATH_PREFIX

MY_DATA_ROUTE = "privacy-my-data"
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
_GONE = 'This download link has expired or does not exist. In Teams, type "my data" for a new one.\n'


def add_privacy_routes(app: web.Application, privacy: Callable[[web.Request], PrivacyService]) -> None:
    """Serve "my data" downloads on ``app``; safe to call twice (the second call does nothing)."""
    if MY_DATA_ROUTE in app.router.named_resources():
        return

    async def my_data(request: web.Request) -> web.Response:
        try:
            filename, content = await privacy(request).export_file(request.match_info["token"])
        except NotFound:
            return web.Response(status=404, text=_GONE, headers=_PRIVATE)
        except TryAgain:
            return web.Response(status=503, text="Busy; please try again.\n", headers={**_PRIVATE, "Retry-After": "2"})
        return web.Response(
            body=content,
            content_type="application/json",
            charset="utf-8",
            headers={**_PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'},
        )

    app.router.add_get(f"{MY_DATA_PATH_PREFIX}{{token}}.json", my_data, name=MY_DATA_ROUTE)
