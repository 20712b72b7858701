"""One writer per table: the outbox is written only by ``classroom/outbox/``, conversation records only by
``classroom/conversations.py``, the record of administration only by ``classroom/admin/``, the audit log only by
``classroom/privacy/audit.py``. Everyone else asks them
(enqueue, replace_copies, remember_conversation ...)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "dialogs", "classroom", "storage")
WRITES = frozenset({"insert", "update", "delete", "insert_for", "insert_or_update", "insert_or_ignore"})
OWNERS = {
    "OutboxNotification": "classroom/outbox/",
    "ConversationRecord": "classroom/conversations.py",
    "AdminChange": "classroom/admin/",
    "AuditEntry": "classroom/privacy/audit.py",
}
NOT_WRITERS = ("storage/models/", "storage/migrations/")  # where the tables are defined and created


def _names_in(node: ast.AST) -> set[str]:
    return {
        n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node) if isinstance(n, ast.Name | ast.Attribute)
    }


def writes_in(source: str) -> set[str]:
    """The owned tables this source writes: INSERT/UPDATE/DELETE statements on them, or new rows of them."""
    written = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if called in OWNERS:  # OutboxNotification(...): a new row
            written.add(called)
        elif called in WRITES:  # update(Table) or insert_or_ignore(session, Table.__table__, ...)
            for argument in node.args[:2]:
                written |= _names_in(argument) & set(OWNERS)
    return written


def test_each_owned_table_has_one_writer() -> None:
    trespassers = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(NOT_WRITERS):
                continue
            for table in writes_in(path.read_text(encoding="utf-8")):
                if not relative.startswith(OWNERS[table]):
                    trespassers.append(f"{relative} writes {table}")
    assert trespassers == []


def test_the_check_sees_writes() -> None:
    assert writes_in("update(OutboxNotification).values(status=1)") == {"OutboxNotification"}
    assert writes_in("insert_or_ignore(session, ConversationRecord.__table__, {}, [])") == {"ConversationRecord"}
    assert writes_in("session.add(OutboxNotification(kind='text'))") == {"OutboxNotification"}
    assert writes_in("select(OutboxNotification).where(OutboxNotification.id == 1)") == set()
