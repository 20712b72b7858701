"""outbox: every notification kind named ``<feature>.<message>``, enquiry cards as typed notices

Enquiry notifications were ``enquiry_card``, ``enquiry_reply``, ``enquiry_followup`` and ``enquiry_digest``;
they become ``enquiries.card`` and so on, like enrolment's ``enrolment.reminder``. An enquiry card's payload
becomes ``{"enquiry": <view>}`` with its courses as ``{"code", "title"}`` objects and each event's ``actor``
as ``actor_name``, the shape of ``EnquiryCardNotice``. Rows waiting to be sent, and sent rows that may be
replaced later, then render with the new renderers. The other kinds keep their payloads.
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"

RENAMED = {
    "enquiry_card": "enquiries.card",
    "enquiry_reply": "enquiries.reply",
    "enquiry_followup": "enquiries.followup",
    "enquiry_digest": "enquiries.digest",
}
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OUTBOX = sa.table(
    "outbox", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("payload", JSON_DOCUMENT)
)


def card_notice(view: dict[str, Any]) -> dict[str, Any]:
    view = dict(view)
    view["courses"] = [{"code": code, "title": title} for code, title in view.get("courses", [])]
    view["events"] = [
        {"action": e["action"], "actor_name": e["actor"], "at": e["at"], "text": e.get("text")}
        for e in view.get("events", [])
    ]
    return {"enquiry": view}


def card_view(notice: dict[str, Any]) -> dict[str, Any]:
    view = dict(notice["enquiry"])
    view["courses"] = [[c["code"], c["title"]] for c in view.get("courses", [])]
    view["events"] = [
        {"action": e["action"], "actor": e["actor_name"], "at": e["at"], "text": e.get("text")}
        for e in view.get("events", [])
    ]
    return view


def _rewrite(kinds: dict[str, str], card: str, reshape: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    connection = op.get_bind()
    for old, new in kinds.items():
        connection.execute(sa.update(OUTBOX).where(OUTBOX.c.kind == old).values(kind=new))
    rows = connection.execute(sa.select(OUTBOX.c.id, OUTBOX.c.payload).where(OUTBOX.c.kind == card)).all()
    for row_id, payload in rows:
        connection.execute(sa.update(OUTBOX).where(OUTBOX.c.id == row_id).values(payload=reshape(payload)))


def upgrade() -> None:
    _rewrite(RENAMED, "enquiries.card", card_notice)


def downgrade() -> None:
    _rewrite({new: old for old, new in RENAMED.items()}, "enquiry_card", card_view)
