"""Text from outside (Teams, card data, connector answers) made safe to store, compare and show.

Two levels, for two kinds of value:

- :func:`storable` (and :func:`bounded`, which also cuts) for every string an activity carries, ids included:
  PostgreSQL refuses NUL in text and a lone UTF-16 surrogate cannot be encoded for it at all, while SQLite stores
  both, so removing them is what keeps the two databases answering alike; NFC makes the same name typed on two
  keyboards the same string. Length limits come from the columns a value is stored in, so a value that fits here
  fits in both databases. It never changes an id that is already valid, and costs next to nothing for ASCII.
- :func:`clean` for what people typed (commands, answers to questions), made safe to store and compare without
  changing what they wrote. Pasted text can carry invisible characters: control characters, zero-width spaces,
  byte-order marks and the bidi overrides that make text read differently from how it is stored. Those go. What
  only looks invisible but shapes the text stays: the zero-width joiner that builds one emoji out of several
  (👩‍💻, 👨‍👩‍👧) and joins letters in Indic scripts, the non-joiner Persian and Indic spelling needs, and the tag
  characters of a subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿). Characters this Python's Unicode tables do not know yet (next year's
  emoji) are kept too.
"""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile("[\x00\ud800-\udfff]")  # NUL, and surrogates (any left in a str are lone ones)

ZERO_WIDTH_NON_JOINER, ZERO_WIDTH_JOINER = "\u200c", "\u200d"
_KEPT_FORMAT_CHARACTERS = frozenset({ZERO_WIDTH_NON_JOINER, ZERO_WIDTH_JOINER})
# A black flag, tag letters, a cancel tag: England, Scotland and Wales. Tags anywhere else hide text.
_FLAG_TAG_SEQUENCE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})  # control, format (invisible), lone surrogate halves
_ASCII_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # all of ASCII's invisible characters but tab and newline
_SPACES = re.compile("[ \t]+")


def _nfc(value: str) -> str:
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def storable(value: str) -> str:
    """``value`` without NUL and lone surrogates, in Unicode NFC."""
    if value.isascii():
        return value.replace("\x00", "") if "\x00" in value else value
    return _nfc(_UNSAFE.sub("", value))


def bounded(value: str, limit: int) -> str:
    """:func:`storable` ``value``, cut to at most ``limit`` characters (what a ``String(limit)`` column holds)."""
    value = storable(value)
    return value if len(value) <= limit else value[:limit]


def _visible(part: str) -> str:
    return "".join(
        ch
        for ch in part
        if ch in "\n\t" or ch in _KEPT_FORMAT_CHARACTERS or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )


def without_invisible_characters(value: str) -> str:
    """``value`` without the characters that carry nothing a reader can see (see the module's docstring)."""
    if value.isascii():  # ASCII has no format characters: only its controls can go (the common case, cheaply)
        return _ASCII_CONTROLS.sub("", value)
    kept: list[str] = []
    start = 0
    for flag in _FLAG_TAG_SEQUENCE.finditer(value):
        kept.append(_visible(value[start : flag.start()]))
        kept.append(flag.group())
        start = flag.end()
    kept.append(_visible(value[start:]))
    return "".join(kept)


def clean(value: str) -> str:
    """Typed text: invisible characters dropped (NUL and lone surrogates among them), Unicode NFC, trimmed, inner
    runs of spaces collapsed (line breaks stay)."""
    visible = without_invisible_characters(value)
    if not visible.isascii():
        visible = _nfc(visible)
    return _SPACES.sub(" ", visible).strip()
