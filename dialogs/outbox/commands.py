"""``outbox``: coordinators see how proactive delivery is doing (the same view as ``classroom-bot outbox status``)."""

from __future__ import annotations

from dialogs.outbox.card import build_outbox_status_card
from dialogs.private_views import not_here, private_here
from dialogs.routing import CommandRequest, Router
from storage.models import Role

router = Router()


@router.command(
    "outbox",
    description="Delivery of reminders and notices: counts by status, oldest waiting, recent failures",
    roles=[Role.COORDINATOR, Role.ADMIN],
)
async def show_outbox(request: CommandRequest) -> None:
    if not await private_here(request):
        await request.say(not_here("Delivery reports"))
        return
    services = request.services
    summary = await services.outbox.summary()
    await request.show(build_outbox_status_card(summary, now=services.clock.now(), zone=services.zone))
