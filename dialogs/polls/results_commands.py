"""After the session: ``polls RUN`` (a run's polls with their results), ``poll results N`` (one poll), and what the
download buttons' fallbacks type, ``poll export N`` and ``polls export RUN`` (a link, in a one-to-one chat only).

Only the run's trainers and coordinators see results (stored roles, decided by the service); anyone else gets the
same answer as for a run or poll that does not exist. Results are counts only; the download link is a credential
and never goes to a shared chat.
"""

from __future__ import annotations

from classroom.errors import NotFound
from classroom.polls.errors import NotLinked
from dialogs.conversation_reference import base_conversation_id
from dialogs.polls.cards.results import build_poll_results_card, build_run_polls_card
from dialogs.polls.commands import RUNS_POLLS, show_prepared
from dialogs.polls.downloads import ONLY_IN_PRIVATE, download_for, not_yours, run_code_from
from dialogs.polls.parts import EXPORT_COMMAND, POLLS_COMMAND, RESULTS_COMMAND, RUN_EXPORT_COMMAND, typed_id
from dialogs.routing import PERSONAL, CommandRequest, Router

router = Router()


async def _run_code(request: CommandRequest) -> str | None:
    """The run typed, or in a linked chat the chat's run."""
    words = request.args.split()
    if words:
        return run_code_from(words[0])
    if request.scope == PERSONAL:
        return None
    try:
        here = base_conversation_id(request.turn_context.activity.conversation.id)
        return (await request.services.polls.link_of(here)).run_code
    except NotLinked:
        return None


@router.command(
    POLLS_COMMAND,
    roles=RUNS_POLLS,
    usage="polls RUN",
    description="A run's polls with their results, e.g. polls PERM4-A (in a linked chat: its run, and those prepared)",
)
async def polls(request: CommandRequest) -> None:
    if not request.args.split() and request.scope != PERSONAL:
        await show_prepared(request, only_if_any=True)  # in the session's chat: ready to launch, one click each
    code = await _run_code(request)
    if code is None:
        await request.say("Which run? For example **polls PERM4-A**.")
        return
    try:
        listing = await request.services.polls.run_polls(code, by=request.sender_id)
    except NotFound:
        await request.say(not_yours(f"a run {code}"))
        return
    await request.show(build_run_polls_card(listing, request.services.zone))


@router.command(
    RESULTS_COMMAND,
    roles=RUNS_POLLS,
    usage="poll results N",
    description="One poll's results, with its answers to download",
)
async def results(request: CommandRequest) -> None:
    words = request.args.split()
    poll_id = typed_id(words[0]) if len(words) == 1 else None
    if poll_id is None:
        await request.say(
            "Which poll? Type **poll results** and its number, e.g. **poll results 12** (see **polls RUN**)."
        )
        return
    try:
        view = await request.services.polls.results(poll_id, by=request.sender_id)
    except NotFound:
        await request.say(not_yours("that poll"))
        return
    await request.show(build_poll_results_card(view, request.services.zone))


@router.command(
    EXPORT_COMMAND,
    roles=RUNS_POLLS,
    usage="poll export N",
    description="A download link for one poll's answers (what the card's download button sends)",
    listed=False,
)
async def export(request: CommandRequest) -> None:
    words = request.args.split()
    poll_id = typed_id(words[0]) if len(words) == 1 else None
    await _export(request, poll_id=poll_id, command=f"{EXPORT_COMMAND} {poll_id or 'N'}")


@router.command(
    RUN_EXPORT_COMMAND,
    roles=RUNS_POLLS,
    usage="polls export RUN",
    description="A download link for the answers of a run's polls (what the download button sends)",
    listed=False,
)
async def run_export(request: CommandRequest) -> None:
    words = request.args.split()
    run_code = run_code_from(words[0]) if len(words) == 1 else None
    await _export(request, run_code=run_code, command=f"{RUN_EXPORT_COMMAND} {run_code or 'RUN'}")


async def _export(
    request: CommandRequest, *, command: str, poll_id: int | None = None, run_code: str | None = None
) -> None:
    if poll_id is None and run_code is None:
        await request.say("Which poll? For example **poll export 12**, or **polls export PERM4-A** for a whole run.")
        return
    if request.scope != PERSONAL:
        await request.say(ONLY_IN_PRIVATE.format(command=command))
        return
    download = await download_for(request.services, request.turn_context, poll_id=poll_id, run_code=run_code)
    if download is None:
        await request.say(not_yours("that poll" if poll_id is not None else f"a run {run_code}"))
        return
    if poll_id is not None:
        view = await request.services.polls.results(poll_id, by=request.sender_id)
        await request.show(build_poll_results_card(view, request.services.zone, download=download))
    else:
        assert run_code is not None
        listing = await request.services.polls.run_polls(run_code, by=request.sender_id)
        await request.show(build_run_polls_card(listing, request.services.zone, download=download))
