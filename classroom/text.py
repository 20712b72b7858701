"""Text from outside (Teams, card data, connector answers) made safe to store, compare and show.

PostgreSQL refuses NUL in text and a lone UTF-16 surrogate cannot be encoded for it at all, while SQLite stores
both: cleaning every such value before it reaches a service is what keeps the two databases answering alike.
NFC makes the same name typed on two keyboards the same string. Length limits come from the columns a value
is stored in, so a value that fits here fits in both databases.
"""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile("[\x00\ud800-\udfff]")  # NUL, and surrogates (any left in a str are lone ones)


def clean(value: str) -> str:
    """``value`` without NUL and lone surrogates, in Unicode NFC."""
    if value.isascii():
        return value.replace("\x00", "") if "\x00" in value else value
    value = _UNSAFE.sub("", value)
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def bounded(value: str, limit: int) -> str:
    """:func:`clean` ``value``, cut to at most ``limit`` characters (what a ``String(limit)`` column holds)."""
    value = clean(value)
    return value if len(value) <= limit else value[:limit]
