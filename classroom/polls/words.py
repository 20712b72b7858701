"""The most frequent words of an open-text poll's answers, English stop words removed (the ``stop-words``
package's list), counted once per answer so one person repeating a word cannot tip the results."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from stop_words import get_stop_words

TOP_WORDS = 10
MIN_LENGTH = 3  # as Slido's word cloud: shorter entries say little
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(word.casefold() for word in get_stop_words("en"))


def words_of(answer: str) -> set[str]:
    found = {word.casefold().replace("’", "'").removesuffix("'s") for word in _WORD.findall(answer)}
    return {word for word in found if len(word) >= MIN_LENGTH and word not in _stop_words()}


def top_words(answers: Iterable[str], limit: int = TOP_WORDS) -> list[tuple[str, int]]:
    """(word, number of answers using it), most used first, ties alphabetically."""
    counts: Counter[str] = Counter()
    for answer in answers:
        counts.update(words_of(answer))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
