"""``certificate CODE``: anyone checks a certificate (whose, which course and run, the dates, when issued; nothing
else, and an unknown code says only that there is no such certificate). ``my certificates``: the holder's own,
each with a fresh download link, in their 1:1 chat only."""

from __future__ import annotations

from classroom.errors import InvalidInput, NotFound
from dialogs.certificates.cards import MY_CERTIFICATES, build_my_certificates_card, build_verified_card
from dialogs.routing import EVERYONE, PERSONAL, CommandRequest, Router

router = Router()

ASK_FOR_CODE = (
    "Which certificate? Type **certificate** and the code printed on it, for example **certificate ABCDE-23456**."
)
NOT_A_CODE = (
    "That is not a certificate code. Codes have ten letters and digits, printed as two groups of five "
    "(for example ABCDE-23456)."
)
NO_SUCH_CERTIFICATE = "There is no certificate with that code. Check it against the certificate and try again."
SIGN_IN = "Please use Teams signed in with your work account to see your certificates."


@router.command(
    "certificate",
    roles=EVERYONE,
    usage="certificate CODE",
    description="Check a certificate of attendance by the code printed on it",
    scopes=[PERSONAL],  # in the 1:1 chat: in a group's menu it would push out the trainers' link and poll
)
async def certificate(request: CommandRequest) -> None:
    if not request.args.strip():
        await request.say(ASK_FOR_CODE)
        return
    try:
        found = await request.services.certificates.verify(request.args)
    except InvalidInput:
        await request.say(NOT_A_CODE)
        return
    except NotFound:
        await request.say(NO_SUCH_CERTIFICATE)
        return
    await request.show(build_verified_card(found, request.services.zone))


@router.command(
    MY_CERTIFICATES,
    roles=EVERYONE,
    usage="my certificates",
    description="Your certificates of attendance, to download as PDF",
    scopes=[PERSONAL],
    aliases=("certificates",),
)
async def my_certificates(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(SIGN_IN)
        return
    services = request.services
    code = request.args.strip() or None
    items = await services.certificates.mine(request.sender_id, code)
    if code and not items:
        await request.say(f"You have no certificate with that code. Type **{MY_CERTIFICATES}** to see yours.")
        return
    await request.show(build_my_certificates_card(items, services.zone, services.public_base_url))
