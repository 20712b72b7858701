"""Verification codes: short enough to read out or type from a printed certificate, too many to guess.

Ten symbols from an alphabet without the look-alikes 0, O, 1, I, L and U (taken for V): 30^10 ≈ 6·10^14 codes
(49 bits), drawn by ``secrets``; each is unique by the table's constraint. People may type them in any case, with
or without the dash the certificate shows, or with spaces; anything longer than ``MAX_TYPED`` is not looked at.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
MAX_TYPED = 40
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.·]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """How a code is printed and said: two groups of five (``ABCDE-23456``)."""
    return f"{code[:5]}-{code[5:]}"


def normalised(typed: str) -> str | None:
    """The stored form of a typed code; None when it cannot be one (too long, wrong length or symbols)."""
    if len(typed) > MAX_TYPED:
        return None
    code = _SEPARATORS.sub("", typed).upper()
    if len(code) != LENGTH or any(symbol not in ALPHABET for symbol in code):
        return None
    return code
