"""Evaluation commands: ``evaluation RUN`` (a run's report), ``evaluation COURSE`` (its runs compared) and
``evaluation export RUN`` (the CSV link), for the run's trainers and coordinators in their 1:1 chat; and
``survey``, what the survey card's buttons type where Universal Actions are not available."""

from __future__ import annotations

from classroom.errors import NotAllowed, NotFound
from classroom.evaluation.views import RunReport
from dialogs.cards.base import CardMessage, card, open_url, text
from dialogs.cards.formatting import short_time
from dialogs.evaluation import actions
from dialogs.evaluation.cards.report import build_comparison_card, build_report_card
from dialogs.evaluation.links import export_url
from dialogs.evaluation.parts import REPORT_COMMAND, SURVEY_COMMAND, card_id
from dialogs.routing import EVERYONE, PERSONAL, CommandRequest, Router
from dialogs.services import Services
from storage.models import Role

router = Router()
OVERSEERS = [Role.TRAINER, Role.COORDINATOR, Role.ADMIN]
REFUSED = "Only the run's trainers and the training team can see its evaluation."
USAGE = (
    "Type **evaluation** with a run's code (its report) or a course's code (its runs compared), "
    "e.g. **evaluation PERM4**."
)


@router.command(
    SURVEY_COMMAND,
    roles=EVERYONE,
    usage="survey answer|skip ENROLMENT before|after",
    description="The evaluation survey's buttons, typed",
    scopes=[PERSONAL],
    listed=False,
)
async def survey(request: CommandRequest) -> None:
    words = request.args.split()
    enrolment_id = card_id(words[1]) if len(words) == 3 else None
    if enrolment_id is None:
        await request.say(actions.NOT_YOURS)
        return
    value = request.turn_context.activity.value
    values = value if isinstance(value, dict) else {}
    shown = await actions.act(
        request.services, request.turn_context, words[0].lower(), enrolment_id, words[2].lower(), values
    )
    if isinstance(shown, str):
        await request.say(shown)
    else:
        await request.show(shown)


async def download_card(services: Services, aad_object_id: str, run_code: str) -> CardMessage | str:
    """A fresh CSV link for the presser (entitled now), or why not."""
    try:
        issued = await services.evaluation.issue_export_link(aad_object_id, run_code)
    except NotAllowed:
        return REFUSED
    except NotFound:
        return "I can't find that run."
    url = export_url(services.public_base_url, issued.token)
    return card(
        [
            text(
                f"Your download of the evaluation of {run_code.upper()} (CSV) works until "
                f"{short_time(issued.expires_at, services.zone)}, for you only."
            )
        ],
        [open_url("Download report (CSV)", url)],
    )


@router.command(
    REPORT_COMMAND,
    roles=OVERSEERS,
    usage="evaluation RUN|COURSE",
    description="Did confidence in each learning outcome grow? A run's evaluation, or a course's runs compared",
    scopes=[PERSONAL],
)
async def evaluation(request: CommandRequest) -> None:
    words = request.args.split()
    if not request.sender_id or not words or len(words) > 2:
        await request.say(USAGE)
        return
    if words[0].lower() == "export" and len(words) == 2:
        shown = await download_card(request.services, request.sender_id, words[1][:48])
    elif len(words) == 1:
        try:
            found = await request.services.evaluation.report(request.sender_id, words[0][:48])
        except NotAllowed:
            shown = REFUSED
        except NotFound:
            shown = "I can't find a run or course with that code."
        else:
            zone = request.services.zone
            shown = (
                build_report_card(found, zone) if isinstance(found, RunReport) else build_comparison_card(found, zone)
            )
    else:
        shown = USAGE
    if isinstance(shown, str):
        await request.say(shown)
    else:
        await request.show(shown)
