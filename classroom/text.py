"""Text people typed, made safe to store and compare without changing what they wrote.

Pasted text can carry invisible characters: control characters, zero-width spaces, byte-order marks and the bidi
overrides that make text read differently from how it is stored. Those go. What only looks invisible but shapes
the text stays: the zero-width joiner that builds one emoji out of several (👩‍💻, 👨‍👩‍👧) and joins letters in
Indic scripts, the non-joiner Persian and Indic spelling needs, and the tag characters of a subdivision flag
(🏴󠁧󠁢󠁳󠁣󠁴󠁿). Characters this Python's Unicode tables do not know yet (next year's emoji) are kept too.
"""

from __future__ import annotations

import re
import unicodedata

ZERO_WIDTH_NON_JOINER, ZERO_WIDTH_JOINER = "\u200c", "\u200d"
_KEPT_FORMAT_CHARACTERS = frozenset({ZERO_WIDTH_NON_JOINER, ZERO_WIDTH_JOINER})
# A black flag, tag letters, a cancel tag: England, Scotland and Wales. Tags anywhere else hide text.
_FLAG_TAG_SEQUENCE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})  # control, format (invisible), lone surrogate halves


def _visible(part: str) -> str:
    return "".join(
        ch
        for ch in part
        if ch in "\n\t" or ch in _KEPT_FORMAT_CHARACTERS or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )


def without_invisible_characters(value: str) -> str:
    """``value`` without the characters that carry nothing a reader can see (see the module's docstring)."""
    kept: list[str] = []
    start = 0
    for flag in _FLAG_TAG_SEQUENCE.finditer(value):
        kept.append(_visible(value[start : flag.start()]))
        kept.append(flag.group())
        start = flag.end()
    kept.append(_visible(value[start:]))
    return "".join(kept)


def clean(value: str) -> str:
    """Trim, drop invisible characters and collapse inner runs of spaces (line breaks stay)."""
    return re.sub(r"[ \t]+", " ", without_invisible_characters(value)).strip()
