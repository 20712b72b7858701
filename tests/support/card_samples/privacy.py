"""Data protection's cards: what is held about you (and nothing), an erasure to confirm (yourself, someone else,
nothing to erase), its outcome, the cancellation and the audit log; with typed words that must show as typed."""

from __future__ import annotations

from datetime import timedelta

from classroom.privacy.audit import AuditRecord
from classroom.privacy.personal_data import Section
from classroom.privacy.service import ErasureOutcome, ErasurePreview, HeldData
from dialogs.privacy.cards import (
    build_audit_card,
    build_erasure_cancelled_card,
    build_forget_confirmation_card,
    build_forgotten_card,
    build_my_data_card,
)
from tests.support.card_samples import CardSample, SampleContext

ALEX = "00000000-0000-0000-0000-0000000000a1"
HELD = HeldData(
    (
        Section("Profile", ("Name: Alex **Wilber**", "Email: alex@example.gov.uk", "Roles: participant"), {}),
        Section("Enquiries", ("ENQ-2026-0042 (answered), 3 messages",), []),
        Section(
            "Courses", ('PERM4-A Permanence: confirmed; cannot attend session 3 because "[court](https://ev.il)"',), []
        ),
        Section("Poll answers", ('"Which principle comes first?": you answered "Presume capacity"',), {}),
    )
)
KEPT = ("Your booking on PERM4-A (confirmed), without your name or reasons",)


async def samples(context: SampleContext) -> list[CardSample]:
    preview = ErasurePreview("Alex Wilber", ALEX, HELD, KEPT, timedelta(days=2190))
    nothing = ErasurePreview("", ALEX, HeldData(()), (), timedelta(days=2190))
    records = [
        AuditRecord(context.now, "privacy.erase", "Patti Fernandez", "Erased person", "19:x", {"by": "an admin"}),
        AuditRecord(
            context.now - timedelta(hours=2), "role.grant", "Patti", "Megan *Bowen*", "19:x", {"role": "trainer"}
        ),
        AuditRecord(context.now - timedelta(days=1), "catalogue.import", "", "", "cli", {"courses": 2}),
    ]
    url = "https://classroom.example.org/my-data/abc.json"
    return [
        CardSample(
            "my_data/held",
            build_my_data_card.__name__,
            build_my_data_card(HELD, url, context.now + timedelta(days=7), context.zone),
        ),
        CardSample(
            "my_data/nothing", build_my_data_card.__name__, build_my_data_card(HeldData(()), None, None, context.zone)
        ),
        CardSample(
            "forget/yourself",
            build_forget_confirmation_card.__name__,
            build_forget_confirmation_card(preview, yourself=True),
        ),
        CardSample(
            "forget/someone_else",
            build_forget_confirmation_card.__name__,
            build_forget_confirmation_card(preview, yourself=False),
        ),
        CardSample(
            "forget/nothing_held",
            build_forget_confirmation_card.__name__,
            build_forget_confirmation_card(nothing, yourself=True),
        ),
        CardSample(
            "forget/done",
            build_forgotten_card.__name__,
            build_forgotten_card(
                ErasureOutcome({"enquiries deleted": 1, "bookings kept without name": 1}), yourself=True
            ),
        ),
        CardSample("forget/cancelled", build_erasure_cancelled_card.__name__, build_erasure_cancelled_card()),
        CardSample(
            "audit/entries", build_audit_card.__name__, build_audit_card(records, context.zone, "since 01/12/2026")
        ),
        CardSample("audit/none", build_audit_card.__name__, build_audit_card([], context.zone, "")),
    ]
