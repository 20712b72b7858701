"""Keys or rows padded to a few counts, so a statement over many of them has a few texts, not one per count.

An expanding IN (``bindparam(..., expanding=True)``) and a multi-row INSERT (SQLAlchemy's "insertmanyvalues",
used for an executemany with RETURNING) render one SQL text per number of items. asyncpg keeps 100 prepared
statements per connection: a text per count would push out the statements every turn runs (each then prepared
again, a round trip more). Padded to powers of two, a batch of up to 128 takes at most 8 texts per statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def padded(items: Sequence[T]) -> list[T]:
    """``items`` with its last repeated up to the next power of two: only for statements where a repeat changes
    nothing (``IN (...)``, ``INSERT ... ON CONFLICT DO NOTHING``)."""
    out = list(items)
    if out:
        out += [out[-1]] * ((1 << (len(out) - 1).bit_length()) - len(out))
    return out
