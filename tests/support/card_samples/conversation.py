"""Cards of every conversation: the welcome (by role and by where the bot was installed), help, and the offer to
leave a dialog for a command typed in the middle of it."""

from __future__ import annotations

from dialogs.help.card import build_help_card
from dialogs.leave_offer_card import build_leave_offer_card
from dialogs.routing import GROUP_CHAT, PERSONAL, TEAM
from dialogs.welcome.card import build_welcome_card
from storage.models import Role
from tests.support.card_samples import CardSample, SampleContext

WELCOME, HELP, LEAVE_OFFER = build_welcome_card.__name__, build_help_card.__name__, build_leave_offer_card.__name__
ROLE_SETS: tuple[set[Role], ...] = (
    {Role.PARTICIPANT},
    {Role.TRAINER},
    {Role.COORDINATOR},
    {Role.COORDINATOR, Role.ADMIN},
    set(),
)


def _label(roles: set[Role]) -> str:
    return "+".join(sorted(role.value for role in roles)) or "no-role"


async def samples(context: SampleContext) -> list[CardSample]:
    found = [
        CardSample(f"welcome/{_label(roles)}/personal", WELCOME, build_welcome_card("Alex Wilber", roles, PERSONAL))
        for roles in ROLE_SETS
    ]
    found += [
        CardSample(f"welcome/participant/{scope}", WELCOME, build_welcome_card("", {Role.PARTICIPANT}, scope))
        for scope in (GROUP_CHAT, TEAM)
    ]
    found += [
        CardSample(
            f"help/{_label(roles)}/{scope}", HELP, build_help_card(context.router.visible_to(roles, scope), scope)
        )
        for scope in (PERSONAL, GROUP_CHAT, TEAM)
        for roles in ROLE_SETS
    ]
    found += [
        CardSample("leave_offer/enquiry", LEAVE_OFFER, build_leave_offer_card("your enquiry", "courses")),
        CardSample("leave_offer/enrolment", LEAVE_OFFER, build_leave_offer_card("your enrolment", "my courses")),
    ]
    return found
