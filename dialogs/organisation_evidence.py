"""Settle the sender's organisation from what Teams says about them (the activity's tenant, the email Teams lists
for them) before anything that depends on it: the enrol flow, and a course's card showing their price.

A guest's activities carry the host's tenant, so for a guest (Teams' ``userRole``) only the email counts.
Looked up only while it is not confirmed (a coordinator's decision or earlier evidence stands), so a confirmed
person costs no call to Teams. Both values are untrusted; the domain bounds and checks them.
"""

from __future__ import annotations

from botbuilder.core import TurnContext

from classroom.enrolment.organisations import OrganisationStanding
from classroom.enrolment.service import EnrolmentService
from classroom.errors import NotFound
from dialogs.conversation_reference import tenant_id
from dialogs.members import sender_listing


async def settle_organisation(
    enrolment: EnrolmentService,
    turn_context: TurnContext,
    aad_object_id: str,
    known: OrganisationStanding | None = None,
) -> OrganisationStanding | None:
    """What we know of the person's organisation after looking at the evidence; None for someone we have not met.
    ``known``: the standing read earlier in this turn (not read again)."""
    if known is not None:
        standing = known
    else:
        try:
            standing = await enrolment.organisation_standing(aad_object_id)
        except NotFound:
            return None
    if standing.confirmed:
        return standing
    listed = await sender_listing(turn_context)
    # A guest writes from the host's tenant: only their own email says where they work.
    tenant = None if listed.guest else tenant_id(turn_context.activity)
    return await enrolment.resolve_organisation(aad_object_id, tenant_id=tenant, email=listed.email)
