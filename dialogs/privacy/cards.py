"""Data protection's cards: what is held about you (with the download link), the erasure to confirm and its
outcome, and the audit log. What people typed (names, messages, reasons) is shown as literal text."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from classroom.privacy.audit import AuditRecord
from classroom.privacy.service import ErasureOutcome, ErasurePreview, HeldData
from dialogs.cards.base import CardMessage, Element, card, execute, heading, literal, open_url, submit, text
from dialogs.cards.formatting import duration_text, short_time

FORGET = "privacy.forget"
CANCEL = "privacy.cancel"
CONFIRM_COMMAND = "erasure confirm"  # what the confirmation's buttons fall back to (Action.Submit)
MAX_LINES = 12  # per section on a card; the file has everything


def _sections(held: HeldData, *, details: bool = True) -> list[Element]:
    """Each feature's part; without ``details`` (someone else's data, perhaps in a shared chat) only how much."""
    body: list[Element] = []
    for section in held.sections:
        if not details:
            body.append(text(f"{section.title}: {len(section.lines)} item(s)"))
            continue
        body.append(text(section.title, weight="Bolder", spacing="Medium"))
        body.extend(literal(line) for line in section.lines[:MAX_LINES])
        if len(section.lines) > MAX_LINES:
            body.append(text(f"… and {len(section.lines) - MAX_LINES} more (in the file)", subtle=True))
    return body


def build_my_data_card(
    held: HeldData, download_url: str | None, expires_at: datetime | None, zone: ZoneInfo
) -> CardMessage:
    if held.empty:
        return card(
            [
                heading("What I hold about you", size="Medium"),
                text("Nothing: I hold no data about you."),
                text("Messages you send me now are answered, not stored.", subtle=True),
            ]
        )
    body: list[Element] = [heading("What I hold about you", size="Medium"), *_sections(held)]
    actions: list[Element] = []
    if download_url and expires_at:
        body.append(
            text(
                f"The file holds everything, in JSON. The link is yours alone: it works until "
                f"{short_time(expires_at, zone)}. Type **forget me** to have it all erased.",
                subtle=True,
            )
        )
        actions.append(open_url("Download everything (JSON)", download_url))
    return card(body, actions)


def _years(period: timedelta) -> str:
    years = period.days / 365
    return f"{years:g} years" if years >= 1 and years == int(years) else duration_text(period)


def build_forget_confirmation_card(preview: ErasurePreview, *, yourself: bool) -> CardMessage:
    who = "you" if yourself else "this person"
    body: list[Element] = [
        heading("Forget you?" if yourself else "Erase this person's data?", size="Medium"),
    ]
    if not yourself:
        body.append(literal(preview.name or "(no name)"))
    if preview.held.empty:
        body.append(text(f"I hold nothing about {who}: there is nothing to erase."))
        return card(body, [execute("OK", CANCEL, {}, fallback=submit("OK", "help"))])
    body.append(text("Erased for good:", weight="Bolder"))
    body.extend(_sections(preview.held, details=yourself))
    if preview.kept:
        body.append(
            text(
                f"Kept without a name, for the provider's records, up to {_years(preview.keep_records)} after each "
                "course:",
                weight="Bolder",
                spacing="Medium",
            )
        )
        if yourself:
            body.extend(literal(line) for line in preview.kept)
        else:
            body.append(text(f"{len(preview.kept)} kind(s) of record"))
    body.append(text("This cannot be undone. Nothing is erased until you confirm.", subtle=True))
    title = "Forget me" if yourself else "Erase their data"
    return card(
        body,
        [
            execute(
                title,
                FORGET,
                {"person": preview.aad_object_id},
                style="destructive",
                fallback=submit(title, CONFIRM_COMMAND, preview.aad_object_id),
            ),
            execute("Cancel", CANCEL, {}, fallback=submit("Cancel", "help")),
        ],
    )


def build_forgotten_card(outcome: ErasureOutcome, *, yourself: bool) -> CardMessage:
    body: list[Element] = [
        heading("Forgotten" if yourself else "Erased", size="Medium"),
        text(
            "I have erased everything I held about you, except the records listed as kept, which no longer name you."
            if yourself
            else "Their data is erased; records the provider keeps no longer name them."
        ),
    ]
    if outcome.counts:
        body.append(literal("; ".join(f"{what}: {count}" for what, count in sorted(outcome.counts.items()))))
    return card(body)


def build_erasure_cancelled_card() -> CardMessage:
    return card([heading("Nothing erased", size="Medium"), text("Your data stays as it was.")])


def build_audit_card(records: list[AuditRecord], zone: ZoneInfo, filters: str) -> CardMessage:
    body: list[Element] = [heading("Audit log", size="Medium")]
    if filters:
        body.append(literal(filters))
    if not records:
        body.append(text("No entries.", subtle=True))
    for record in records:
        who = record.actor_name or ("the system" if record.where in ("system", "cli", "") else "someone")
        about = f" about {record.subject_name}" if record.subject_name else ""
        details = ", ".join(f"{k} {v}" for k, v in sorted(record.details.items()) if not isinstance(v, dict))
        line = f"{short_time(record.at, zone)}: {who}: {record.action}{about}"
        body.append(literal(f"{line} ({details})" if details else line))
    return card(body)
