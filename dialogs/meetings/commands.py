"""``attendance RUN`` (a run's attendance: each session, each participant, who completed) and ``attendance RUN N``
(session N's register, to correct), for the run's trainers and the coordinators, in their one-to-one chat only: a
register names who missed a session, which is no one else's business in a group chat.

Who may see a run's attendance is decided by the service from the sender's Entra object id and stored roles; anyone
else gets the same answer as for a run that does not exist.
"""

from __future__ import annotations

from classroom.errors import NotAllowed, NotFound
from dialogs.cards.formatting import shown_code
from dialogs.meetings.cards.register import build_register_card
from dialogs.meetings.cards.report import build_report_card
from dialogs.meetings.links import export_url
from dialogs.meetings.parts import ATTENDANCE_COMMAND
from dialogs.polls.downloads import run_code_from
from dialogs.routing import PERSONAL, CommandRequest, Router
from storage.models import Role

router = Router()

SEES_ATTENDANCE = [Role.TRAINER, Role.COORDINATOR, Role.ADMIN]
NOT_YOURS = (
    "Sorry, I can't find {what}, or its attendance isn't yours to see: only the run's trainers and coordinators "
    "can see and correct it."
)
MAX_POSITION = 1000


def parse_session(words: list[str]) -> tuple[str | None, int | None, bool]:
    """(run code, session position or None, understood)."""
    if not words or len(words) > 2:
        return None, None, False
    code = run_code_from(words[0])
    if code is None:
        return None, None, False
    if len(words) == 1:
        return code, None, True
    typed = words[1].removeprefix("#")
    if not typed.isdigit() or not 0 < int(typed) <= MAX_POSITION:
        return code, None, False
    return code, int(typed), True


@router.command(
    ATTENDANCE_COMMAND,
    roles=SEES_ATTENDANCE,
    usage="attendance RUN [N]",
    description="A run's attendance, e.g. attendance PERM4-A; add a session number to see and correct its register",
    scopes=[PERSONAL],
)
async def attendance(request: CommandRequest) -> None:
    code, position, understood = parse_session(request.args.split())
    if not understood or code is None:
        await request.say(
            "Which run? For example **attendance PERM4-A**, or **attendance PERM4-A 2** for session 2's register."
        )
        return
    services, by = request.services, request.sender_id or ""
    try:
        if position is None:
            report = await services.meetings.attendance(code, by=by)
            issued = await services.meetings.export_link(code, by=by)  # a 1:1 chat: the link is theirs alone
            url = export_url(services.public_base_url, issued.token)
            await request.show(build_report_card(report, services.zone, download_url=url))
            return
        register = await services.meetings.register(code, position, by=by)
        report = await services.meetings.attendance(code, by=by)
    except (NotFound, NotAllowed):
        what = f"a run {shown_code(code)}" if position is None else f"session {position} of {shown_code(code)}"
        await request.say(NOT_YOURS.format(what=what))
        return
    await request.show(build_register_card(register, report.run_code, len(report.sessions), services.zone))
