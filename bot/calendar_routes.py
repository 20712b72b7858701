"""``GET /calendar/{token}.ics``: an enrolment's sessions as an iCalendar download, behind an unguessable link.

The token is the only credential (a calendar app fetches the link without signing in), so it is 256 random
bits, stored only as a hash, and expires. Once the place is given up the same link gives the cancellation of
its events, so a calendar that subscribed to it, or a person opening it again, drops them. Unknown and expired
links get the same 404, so a probe learns nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from classroom.enrolment.service import EnrolmentService
from classroom.errors import NotFound, TryAgain
from dialogs.enrolment.links import CALENDAR_PATH_PREFIX

CALENDAR_ROUTE = "enrolment-calendar"
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
_GONE = 'This calendar link has expired or does not exist. In Teams, type "my courses" for a new one.\n'


def add_calendar_routes(app: web.Application, enrolment: Callable[[web.Request], EnrolmentService]) -> None:
    """Serve calendar downloads on ``app``; ``enrolment(request)`` gives the running bot's enrolment service.

    Safe to call twice (the second call does nothing), e.g. from ``create_app`` and from a test.
    """
    if CALENDAR_ROUTE in app.router.named_resources():
        return

    async def calendar(request: web.Request) -> web.Response:
        try:
            file = await enrolment(request).calendar_file(request.match_info["token"])
        except NotFound:
            return web.Response(status=404, text=_GONE, headers=_PRIVATE)
        except TryAgain:
            return web.Response(status=503, text="Busy; please try again.\n", headers={**_PRIVATE, "Retry-After": "2"})
        return web.Response(
            body=file.content,
            content_type="text/calendar",
            charset="utf-8",
            headers={**_PRIVATE, "Content-Disposition": f'attachment; filename="{file.filename}"'},
        )

    app.router.add_get(f"{CALENDAR_PATH_PREFIX}{{token}}.ics", calendar, name=CALENDAR_ROUTE)
