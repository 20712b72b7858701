"""How JSON columns (``JsonDocument``: an outbox row's payload, rewritten on every change of a live card) are
written: orjson, with the standard library's meaning.

The engine's ``json_serializer`` (``storage/engine.py``). ``json.dumps`` spent about as long on a card's payload
as the statement that stores it; orjson takes a tenth of that. What is stored reads back as the same value (it is
compact UTF-8 text rather than ``json``'s spaced, ASCII-escaped text; PostgreSQL's JSONB keeps neither anyway).
Keys that are numbers or booleans become strings, as ``json`` makes them; what orjson cannot write (an integer
past 64 bits) or that is not plain JSON (a datetime, a dataclass) goes to ``json``, which writes it or raises
``TypeError`` as before. A float that is no number (NaN, infinity) is written as null, JSON having no such
number (``json`` wrote ``NaN``, which PostgreSQL refuses).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_PLAIN = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """The JSON text of ``value``, as a JSON column stores it."""
    try:
        return orjson.dumps(value, option=_PLAIN).decode()
    except TypeError:
        return json.dumps(value)
