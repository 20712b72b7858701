"""Saving a CPD entry typed into the ``cpd add`` / ``cpd N edit`` card, from its ``Action.Execute`` button or the
``Action.Submit`` fallback. Everything the card sends is untrusted: the service checks and bounds it, and the
entry edited must be the sender's own."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from botbuilder.core import TurnContext

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.reflection.cpd_fields import TEXT_FIELDS, typed_fields
from classroom.reflection.errors import ReflectionsNotSetUp
from classroom.reflection.identifying import find_identifying_details
from classroom.reflection.sealing import SealBroken
from classroom.reflection.views import CpdEntryView
from dialogs.cards.base import CardMessage
from dialogs.reflection.actions import NOT_SET_UP, SIGN_IN
from dialogs.reflection.cards.cpd import build_cpd_entry_card
from dialogs.reflection.cards.cpd_form import DATE_INPUT, HOURS_INPUT, TYPE_INPUT, build_cpd_form_card
from dialogs.sender import sender_aad_object_id
from dialogs.services import Services

NO_ENTRY = "You have no CPD entry with that number. Type **my cpd** to see yours."


def form_values(values: dict[str, Any]) -> dict[str, str]:
    """The card's inputs as strings, cut to what any box allows (the service checks them properly)."""
    keys = (*TEXT_FIELDS, DATE_INPUT, TYPE_INPUT, HOURS_INPUT)
    return {key: str(values[key])[:4000] for key in keys if isinstance(values.get(key), (str, int, float))}


def entry_values(entry: CpdEntryView) -> dict[str, str]:
    fields = entry.fields
    return {
        DATE_INPUT: entry.activity_date.isoformat(),
        TYPE_INPUT: entry.cpd_type,
        HOURS_INPUT: f"{entry.minutes / 60:g}",
        "title": fields.title,
        "description": fields.description,
        "learnt": fields.learnt,
        "impact": fields.impact,
        "peer": fields.peer,
    }


def _date_and_minutes(values: dict[str, str]) -> tuple[date, int]:
    try:
        day = date.fromisoformat(values.get(DATE_INPUT, "")[:10])
        hours = float(values.get(HOURS_INPUT, "0") or 0)
    except ValueError as error:
        raise InvalidInput("please give the date (as the date picker does) and the hours as a number") from error
    if not math.isfinite(hours):
        raise InvalidInput("please give the hours as a number")
    return day, round(hours * 60)


async def save_cpd(
    services: Services, turn_context: TurnContext, entry_id: int | None, mode: str, raw: dict[str, Any]
) -> CardMessage | str:
    aad_object_id = sender_aad_object_id(turn_context)
    if not aad_object_id:
        return SIGN_IN
    values = form_values(raw)
    today = services.clock.now().astimezone(services.zone).date()
    service = services.reflection
    try:
        try:
            day, minutes = _date_and_minutes(values)
            fields = typed_fields(values)
        except InvalidInput as error:
            return build_cpd_form_card(values, entry_id=entry_id, today=today, note=f"Nearly there: {error}.")
        findings = (
            [] if mode == "save-anyway" else find_identifying_details("\n".join(values.get(k, "") for k in TEXT_FIELDS))
        )
        if findings:
            return build_cpd_form_card(values, entry_id=entry_id, today=today, findings=findings)
        kind = values.get(TYPE_INPUT, "")
        try:
            if entry_id is None:
                entry = await service.add_cpd(
                    aad_object_id, activity_date=day, cpd_type=kind, minutes=minutes, fields=fields
                )
            else:
                entry = await service.edit_cpd(
                    aad_object_id, entry_id, activity_date=day, cpd_type=kind, minutes=minutes, fields=fields
                )
        except InvalidInput as error:
            return build_cpd_form_card(values, entry_id=entry_id, today=today, note=f"Nearly there: {error}.")
        return build_cpd_entry_card(entry, services.zone)
    except (NotFound, NotAllowed):
        return NO_ENTRY
    except (ReflectionsNotSetUp, SealBroken):
        return NOT_SET_UP
