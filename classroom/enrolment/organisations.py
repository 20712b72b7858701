"""Which organisation a participant works for, from evidence where there is any.

The organisation decides the price band and the courses open to someone, so it is not simply taken from them:
- evidence: the catalogue lists organisations' Entra tenant ids and email domains; the activity's tenant and the
  person's email (as Teams gives it) that match one settle it (``OrganisationStatus.EVIDENCE``), no question
  asked. An email domain is the more specific evidence (a tenant may be shared), so it is looked at first.
- otherwise the person chooses one; it stays ``PENDING`` until a coordinator confirms or corrects it from a card
  (``COORDINATOR``). Meanwhile their price is shown as to be confirmed and runs limited to certain
  organisations wait (``eligibility.check_eligibility``).
A coordinator's decision is final: later evidence does not override it.

Functions here take the caller's session and never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.snapshot import version_column
from classroom.coordinators import is_coordinator, notify_coordinators
from classroom.enrolment.eligibility import price_for
from classroom.enrolment.loading import load_actor, load_person, load_run
from classroom.enrolment.notices import (
    OrganisationCheckNotice,
    OrganisationDecidedNotice,
    OrganisationOption,
    OrganisationOutcome,
    organisation_check_key,
    organisation_check_prefix,
    organisation_decided_key,
)
from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.outbox import cancel_by_dedupe_prefix, enqueue, replace_copies
from storage.models import EvidenceKind, Organisation, OrganisationEvidence, OrganisationStatus, Person
from storage.models.enrolment import ENDED, Enrolment
from storage.models.people import SETTLED_ORGANISATION

MAX_EMAIL = 320
MAX_TENANT_ID = 64
_EMAIL = re.compile(r"[^@\s]{1,64}@([a-z0-9.-]{1,253})")
CONFIRMED = SETTLED_ORGANISATION


@dataclass(frozen=True)
class OrganisationChoice:
    id: int
    name: str


@dataclass(frozen=True)
class OrganisationStanding:
    """What we know of a person's organisation: which (None: not known) and how."""

    organisation: OrganisationChoice | None
    status: OrganisationStatus | None

    @property
    def confirmed(self) -> bool:
        return self.status in CONFIRMED


class OrganisationAlreadySettled(InvalidInput):
    """A coordinator card pressed after the person's organisation was settled (by anyone, or by evidence)."""


_STANDING = select(Person.organisation_status, Organisation.id, Organisation.name).outerjoin(
    Organisation, Organisation.id == Person.organisation_id
)


async def standing_by_id(session: AsyncSession, aad_object_id: str) -> OrganisationStanding:
    """:func:`standing_of` the person, in one plain read (asked on every course card they open).

    Raises NotFound for someone we have not met.
    """
    row = (await session.execute(_STANDING.where(Person.aad_object_id == aad_object_id))).first()
    return _standing_of_row(row)


_STANDING_AT_VERSION = _STANDING.add_columns(version_column()).where(Person.aad_object_id == bindparam("aad_object_id"))


async def standing_and_catalogue_version(session: AsyncSession, aad_object_id: str) -> tuple[OrganisationStanding, int]:
    """:func:`standing_by_id`, with the catalogue's version read in the same statement (to check the copy of the
    catalogue kept in memory at no statement of its own: ``CatalogueSnapshot.checked``)."""
    row = (await session.execute(_STANDING_AT_VERSION, {"aad_object_id": aad_object_id})).first()
    return _standing_of_row(row), int(row.catalogue_version or 0) if row is not None else 0


def _standing_of_row(row: Any) -> OrganisationStanding:
    if row is None:
        raise NotFound("we have not met this person yet")
    status, organisation_id, name = row[:3]
    if organisation_id is None:
        return OrganisationStanding(None, None)
    return OrganisationStanding(OrganisationChoice(organisation_id, name), status)


def standing_of(person: Person) -> OrganisationStanding:
    organisation = person.organisation
    choice = OrganisationChoice(organisation.id, organisation.name) if organisation is not None else None
    return OrganisationStanding(choice, person.organisation_status if choice else None)


def email_domain(email: str | None) -> str | None:
    """The domain of an email address from Teams (untrusted: bounded and checked), lower-case; None if unusable."""
    if not isinstance(email, str) or len(email) > MAX_EMAIL:
        return None
    found = _EMAIL.fullmatch(email.strip().lower())
    return found.group(1) if found else None


def usable_email(email: str | None) -> str | None:
    return email.strip() if isinstance(email, str) and email_domain(email) else None


def usable_tenant(tenant_id: str | None) -> str | None:
    if not isinstance(tenant_id, str) or not 0 < len(tenant_id.strip()) <= MAX_TENANT_ID:
        return None
    return tenant_id.strip().lower()


async def organisation_choices(session: AsyncSession) -> list[OrganisationChoice]:
    rows = await session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
    return [OrganisationChoice(id_, name) for id_, name in rows.all()]


async def match_evidence(session: AsyncSession, *, tenant_id: str | None, email: str | None) -> Organisation | None:
    """The organisation the evidence names: the email's domain first, then the tenant; None when neither is listed."""
    for kind, value in (
        (EvidenceKind.EMAIL_DOMAIN, email_domain(email)),
        (EvidenceKind.TENANT, usable_tenant(tenant_id)),
    ):
        if value is None:
            continue
        organisation = await session.scalar(
            select(Organisation)
            .join(OrganisationEvidence, OrganisationEvidence.organisation_id == Organisation.id)
            .where(OrganisationEvidence.kind == kind, OrganisationEvidence.value == value)
        )
        if organisation is not None:
            return organisation
    return None


async def resolve_organisation(
    session: AsyncSession, aad_object_id: str, *, tenant_id: str | None, email: str | None, now: datetime
) -> OrganisationStanding:
    """Settle the person's organisation from the evidence when it names one (unless a coordinator decided it);
    a choice still waiting for a coordinator makes sure their card is queued. Returns what is known now."""
    person = await load_person(session, aad_object_id)
    email = usable_email(email)
    if email and not person.email:
        person.email = email
    if person.organisation_status == OrganisationStatus.COORDINATOR:
        return standing_of(person)
    organisation = await match_evidence(session, tenant_id=tenant_id, email=email)
    if organisation is not None:
        was_pending = person.organisation_status == OrganisationStatus.PENDING
        if person.organisation_id != organisation.id or person.organisation_status != OrganisationStatus.EVIDENCE:
            await _settle(session, person, organisation, OrganisationStatus.EVIDENCE, None, now)
        if was_pending:
            outcome = OrganisationOutcome(decision="evidence", organisation=organisation.name, at=now)
            await _settle_cards(session, person, outcome, now)
    elif person.organisation_status == OrganisationStatus.PENDING:
        await _ask_coordinators(session, person, now)  # queued once (its dedupe key); a no-op after
    await session.refresh(person, ["organisation"])
    return standing_of(person)


async def choose_organisation(session: AsyncSession, aad_object_id: str, organisation_id: int, now: datetime) -> str:
    """Record the organisation the person says they work for, pending a coordinator's confirmation (only when
    none is known); returns its name.

    Raises:
        InvalidInput: no such organisation.
        NotAllowed: a different organisation is recorded already; a coordinator changes it (it decides price
            and eligibility, so a participant cannot switch it to get a course or a price).
    """
    person = await load_person(session, aad_object_id)
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise InvalidInput(f"no organisation {organisation_id}")
    if person.organisation_id not in (None, organisation.id):
        raise NotAllowed("your organisation is already recorded; ask the training team to change it")
    if person.organisation_id is None:
        person.organisation_id = organisation.id
        person.organisation_status = OrganisationStatus.PENDING
        await session.flush()
        await session.refresh(person, ["organisation"])
        await _ask_coordinators(session, person, now)
    return organisation.name


async def decide_organisation(
    session: AsyncSession, actor_aad_object_id: str, person_id: int, organisation_id: int | None, now: datetime
) -> OrganisationCheckNotice:
    """A coordinator confirms the organisation a person chose (``organisation_id`` None) or corrects it. Their
    places take the organisation's price band, every copy of the coordinators' card shows the decision, and the
    person is told. Returns the card as it now stands.

    Raises:
        NotAllowed: the actor is not a coordinator. NotFound: no such person, or no such organisation.
        OrganisationAlreadySettled: nothing is waiting (decided before, or settled by evidence).
    """
    if not await is_coordinator(session, actor_aad_object_id):
        raise NotAllowed("only coordinators can confirm or correct someone's organisation")
    actor = await load_actor(session, actor_aad_object_id)
    # Locked: two coordinators pressing at once decide one after the other (the second finds it settled).
    person = await session.scalar(
        select(Person).where(Person.id == person_id).with_for_update().execution_options(populate_existing=True)
    )
    if person is None:
        raise NotFound("no such person")
    await session.refresh(person, ["organisation"])
    if person.organisation_status != OrganisationStatus.PENDING or person.organisation is None:
        raise OrganisationAlreadySettled("their organisation is no longer waiting for confirmation")
    chosen = person.organisation.name
    organisation = person.organisation if organisation_id is None else await session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("no such organisation")
    corrected = organisation.id != person.organisation_id
    await _settle(session, person, organisation, OrganisationStatus.COORDINATOR, actor, now)
    outcome = OrganisationOutcome(
        decision="corrected" if corrected else "confirmed",
        organisation=organisation.name,
        by=actor.name or None,
        at=now,
    )
    notice = await _settle_cards(session, person, outcome, now, chosen=chosen)
    await enqueue(
        session,
        OrganisationDecidedNotice(
            organisation=organisation.name, chosen=chosen, corrected=corrected, price_band=organisation.price_band
        ),
        due_at=now,
        dedupe_key=organisation_decided_key(person.id),
        recipient=person.aad_object_id,
    )
    return notice


async def organisation_check(
    session: AsyncSession, actor_aad_object_id: str, person_id: int
) -> OrganisationCheckNotice:
    """The coordinators' card about a person's organisation as it stands now. Raises NotAllowed, NotFound."""
    if not await is_coordinator(session, actor_aad_object_id):
        raise NotAllowed("only coordinators can confirm or correct someone's organisation")
    person = await session.get(Person, person_id, populate_existing=True)
    if person is None or person.organisation_id is None:
        raise NotFound("no such person")
    await session.refresh(person, ["organisation"])
    assert person.organisation is not None
    outcome = None
    if person.organisation_status != OrganisationStatus.PENDING:
        by_id = person.organisation_confirmed_by_person_id
        decided_by = await session.get(Person, by_id) if by_id is not None else None
        outcome = OrganisationOutcome(
            decision="evidence" if person.organisation_status == OrganisationStatus.EVIDENCE else "confirmed",
            organisation=person.organisation.name,
            by=decided_by.name if decided_by else None,
            at=person.organisation_confirmed_at or person.updated_at,
        )
    return await _check_notice(session, person, outcome)


async def assign_organisation_by_name(session: AsyncSession, aad_object_id: str, name: str) -> None:
    """Set a person's organisation by its name, as confirmed (demo seeding and administration)."""
    person = await load_person(session, aad_object_id)
    organisation_id = await session.scalar(select(Organisation.id).where(Organisation.name == name))
    if organisation_id is None:
        raise InvalidInput(f"no organisation named {name!r}")
    person.organisation_id = organisation_id
    person.organisation_status = OrganisationStatus.COORDINATOR
    await session.flush()


async def _settle(
    session: AsyncSession,
    person: Person,
    organisation: Organisation,
    status: OrganisationStatus,
    by: Person | None,
    now: datetime,
) -> None:
    """Record the organisation as settled; the person's current places take its price band from now on."""
    person.organisation_id = organisation.id
    person.organisation_status = status
    person.organisation_confirmed_by_person_id = by.id if by else None
    person.organisation_confirmed_at = now
    enrolments = await session.scalars(
        select(Enrolment).where(Enrolment.person_id == person.id, Enrolment.status.not_in(list(ENDED)))
    )
    for enrolment in enrolments:
        run = await load_run(session, enrolment.run_id)
        enrolment.organisation_id = organisation.id
        enrolment.price_band = organisation.price_band
        enrolment.price_pence = price_for(run, organisation)
    await session.flush()
    await session.refresh(person, ["organisation"])


async def _check_notice(
    session: AsyncSession, person: Person, outcome: OrganisationOutcome | None, *, chosen: str | None = None
) -> OrganisationCheckNotice:
    options = [OrganisationOption(id=c.id, name=c.name) for c in await organisation_choices(session)]
    assert person.organisation is not None
    return OrganisationCheckNotice(
        person_id=person.id,
        person_name=person.name or "A participant",
        email=person.email,
        chosen=chosen or person.organisation.name,
        options=options,
        outcome=outcome,
    )


async def _ask_coordinators(session: AsyncSession, person: Person, now: datetime) -> None:
    notice = await _check_notice(session, person, None)
    await notify_coordinators(session, notice, dedupe_key=organisation_check_key(person.id), due_at=now)


async def _settle_cards(
    session: AsyncSession, person: Person, outcome: OrganisationOutcome, now: datetime, *, chosen: str | None = None
) -> OrganisationCheckNotice:
    """Copies not sent yet are dropped; every sent copy shows the decision, its buttons gone."""
    notice = await _check_notice(session, person, outcome, chosen=chosen)
    prefix = organisation_check_prefix(person.id)
    await cancel_by_dedupe_prefix(session, prefix)
    await replace_copies(session, prefix, notice, now=now)
    return notice
