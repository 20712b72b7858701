"""JSON as it goes over the wire: orjson, with the standard library's meaning.

Every turn reads one activity and writes one or more, often whole cards; ``json`` in C spent up to a tenth of a
card turn there, orjson about a fifteenth of that. The output is what ``json.dumps(..., separators=(",", ":"),
ensure_ascii=False)`` writes for plain JSON, byte for byte but for a float in exponent form (``1e-7``, not
``1e-07``: the same number); what is not plain JSON (a datetime, a dataclass, a model) raises ``TypeError`` as
``json`` does, so callers keep their fallbacks to msrest's walk (a UUID is written as its string, NaN as null).
Reading, a body
orjson refuses goes to ``json`` for the verdict, so odd but valid input (an escaped lone surrogate, which the
inbound gate then cleans) and the errors raised (``RecursionError`` for deep nesting) are as before. One difference
remains: orjson reads an integer beyond 64 bits as a float (json kept it exact); Teams sends ids as strings and
the bot bounds every number it reads, so nothing it uses is that large.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Datetimes and dataclasses are not plain JSON for msrest's callers: refuse them, as json does. Keys that are
# numbers or booleans become strings, as json makes them.
_PLAIN = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON of ``payload``; raises TypeError for anything that is not plain JSON."""
    try:
        return orjson.dumps(payload, option=_PLAIN)
    except TypeError:  # an integer beyond 64 bits, which json writes; or not plain JSON, which json refuses too
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads(raw: bytes | str) -> Any:
    """The JSON value in ``raw``; raises ValueError (or RecursionError) as ``json.loads`` does."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)
