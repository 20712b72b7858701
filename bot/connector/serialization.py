"""JSON for Bot Framework models, several times faster than msrest and with identical output.

Every reply goes out as JSON. msrest's ``Serializer.body(activity, "Activity")`` costs 0.6-0.9 ms per card
activity on our machines because it first rebuilds the model through its deserializer, validates it, and
then walks it generically. :func:`to_wire` walks the model's ``_attribute_map`` once, with a plan cached
per class, and produces the same dict. Anything outside the shapes botbuilder produces (a plain dict where
a model is expected, an enum member inside a free-form ``object`` field, a model class with validation
rules or ``additional_properties`` sending) falls back to msrest for the whole payload, so the output is
always what msrest would have sent; ``tests/bot/test_connector_serialization.py`` checks that on the
reference activities and on cards, mentions and timestamps.

Inbound activities are read by :func:`read_wire`, the same way round: the model msrest's deserializer
builds, ``additional_properties`` included, or msrest itself for shapes outside the fast path. Connector
responses are parsed with msrest's deserializer (:func:`from_wire`), which is what botbuilder's own callers
(``TeamsInfo``, ``TeamsActivityHandler``) rely on.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
from collections.abc import Callable
from enum import Enum
from typing import Any

import orjson
from botframework.connector import models as _models
from msrest import Deserializer, Serializer
from msrest.serialization import Model

from storage import json_text

CLIENT_MODELS: dict[str, type] = {name: value for name, value in vars(_models).items() if isinstance(value, type)}
_SERIALIZER = Serializer(CLIENT_MODELS)
_DESERIALIZER = Deserializer(CLIENT_MODELS)

_BASIC = {"str", "bool", "int", "float", "long"}
_MODEL_NAMES = frozenset(name for name, cls in CLIENT_MODELS.items() if issubclass(cls, Model))


class _Unsupported(Exception):
    """A shape the fast path does not reproduce exactly; msrest serialises the whole payload instead."""


_plans: dict[type[Model], tuple[tuple[str, str, str], ...]] = {}


def _plan(cls: type[Model]) -> tuple[tuple[str, str, str], ...]:
    plan = _plans.get(cls)
    if plan is None:
        if getattr(cls, "_validation", None):
            raise _Unsupported(f"{cls.__name__} has validation rules")
        entries = []
        for attr, desc in cls._attribute_map.items():
            key, kind = desc["key"], desc["type"]
            if not isinstance(kind, str) or key == "" or "." in key:
                raise _Unsupported(f"{cls.__name__}.{attr}: flattened or additional-properties key")
            entries.append((attr, key, kind))
        plan = tuple(entries)
        _plans[cls] = plan
    return plan


def _model(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr, key, kind in _plan(type(value)):
        item = getattr(value, attr, None)
        if item is not None:
            out[key] = _typed(item, kind)
    return out


def _typed(value: Any, kind: str) -> Any:
    if kind in _BASIC:
        if kind == "str":
            if type(value) is str:
                return value
            if isinstance(value, Enum):
                return value.value
            raise _Unsupported("non-str value in a str field")
        expected = {"bool": bool, "int": int, "float": float, "long": int}[kind]
        if type(value) is expected:
            return value
        raise _Unsupported(f"{type(value).__name__} in a {kind} field")
    if kind == "object":
        return _object(value)
    if kind == "iso-8601":
        if isinstance(value, _dt.datetime):
            return Serializer.serialize_iso(value)
        raise _Unsupported("non-datetime in an iso-8601 field")
    if kind[0] == "[":
        return _items(value, kind, _typed)
    if kind[0] == "{":
        return _entries(value, kind)
    if isinstance(value, Model):
        return _model(value)
    raise _Unsupported(f"{type(value).__name__} where model {kind} is expected")


def _items(value: Any, kind: str, convert: Callable[[Any, str], Any]) -> list[Any]:
    """A ``[T]`` field, written or read: each item converted as ``T``, None kept as None."""
    if type(value) is not list:
        raise _Unsupported("non-list in a list field")
    inner = kind[1:-1]
    return [None if item is None else convert(item, inner) for item in value]


def _entries(value: Any, kind: str) -> dict[str, Any]:
    """A ``{T}`` field, written: each value converted as ``T``, None kept as None."""
    if type(value) is not dict:
        raise _Unsupported("non-dict in a dict field")
    inner = kind[1:-1]
    return {_key(k): (None if v is None else _typed(v, inner)) for k, v in value.items()}


def _key(key: Any) -> str:
    if type(key) is str:
        return key
    raise _Unsupported("non-str dict key")


def _object(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is dict:
        return {_key(k): _object(v) for k, v in value.items()}
    if kind is list:
        return [_object(item) for item in value]
    if isinstance(value, Model):
        return _model(value)
    if kind is _dt.datetime:
        return Serializer.serialize_iso(value)
    raise _Unsupported(f"{kind.__name__} in an object field")


def fast_wire(model: Model) -> dict[str, Any] | None:
    """The JSON-ready dict msrest would produce for ``model``, or None where only msrest reproduces it."""
    try:
        return _model(model)
    except _Unsupported:
        return None


_FREE_FORM = frozenset({"object", "{object}", "[object]"})


def shallow_wire(model: Model) -> dict[str, Any] | None:
    """:func:`fast_wire` without walking free-form ("object") fields, at any depth, which are passed through as
    they are.

    For payloads that carry a whole card: the result is written to JSON in C (orjson) instead of a Python walk over
    every element, which raises TypeError when a free-form field holds something that is not plain JSON (a model,
    a datetime); use :func:`fast_wire` then. None where the fast path does not apply at all.
    """
    try:
        return _model_passing_free_form(model)
    except _Unsupported:
        return None


def _model_passing_free_form(value: Any) -> dict[str, Any]:
    """:func:`_model`, with every free-form ("object") field, at any depth, left as it is for orjson to write."""
    out: dict[str, Any] = {}
    for attr, key, kind in _plan(type(value)):
        item = getattr(value, attr, None)
        if item is not None:
            if kind in _FREE_FORM:
                out[key] = item
            elif kind[0] == "[" and kind[1:-1] in _MODEL_NAMES:
                out[key] = _models_passing_free_form(item)
            elif kind in _MODEL_NAMES:
                if not isinstance(item, Model):
                    raise _Unsupported(f"{type(item).__name__} where model {kind} is expected")
                out[key] = _model_passing_free_form(item)
            else:
                out[key] = _typed(item, kind)
    return out


def _models_passing_free_form(value: Any) -> list[Any]:
    if type(value) is not list:
        raise _Unsupported("non-list in a list field")
    items: list[Any] = []
    for item in value:
        if item is not None and not isinstance(item, Model):
            raise _Unsupported(f"{type(item).__name__} where a model is expected")
        items.append(None if item is None else _model_passing_free_form(item))
    return items


# Strict: anything in a free-form field that is not plain JSON (a model, a datetime, a Decimal, a str subclass, a key
# that is not a string, an integer past 64 bits) raises TypeError, and the payload goes the walking way instead.
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def wire_json(model: Model | dict[str, Any], model_type: str = "Activity") -> bytes:
    """``dumps(to_wire(model, model_type))``: the JSON bytes sent for ``model``, without walking free-form fields.

    Every reply carries its card (hundreds of values) in a free-form field, which :func:`to_wire` walks in Python
    value by value to be sure it is plain JSON. Here orjson writes it in C and refuses (TypeError) whatever is not
    plain JSON, which then goes through :func:`to_wire`, so the bytes are what msrest would have sent. The one
    difference: orjson writes an enum member by its value and a tuple as a list where msrest would write ``str()``
    of them (``"Colour.RED"``, ``"(1, 2)"``), as the invoke answer's body is written (``bot.adapter``); cards hold
    neither.
    """
    shallow = shallow_wire(model) if not isinstance(model, dict) else None
    if shallow is not None:
        with contextlib.suppress(TypeError):
            return orjson.dumps(shallow, option=_STRICT)
    return dumps(to_wire(model, model_type))


def to_wire(model: Model | dict[str, Any], model_type: str = "Activity") -> dict[str, Any]:
    """The JSON-ready dict msrest would send for ``model`` (a dict is passed through unchanged)."""
    if isinstance(model, dict):
        return model
    wire = fast_wire(model)
    return wire if wire is not None else _SERIALIZER.body(model, model_type)


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON, as sent on the wire."""
    return json_text.dumps_utf8(payload)


_readers: dict[type[Model], dict[str, tuple[str, str]]] = {}


def _reader(cls: type[Model]) -> dict[str, tuple[str, str]]:
    reader = _readers.get(cls)
    if reader is None:
        reader = {key: (attr, kind) for attr, key, kind in _plan(cls)}
        _readers[cls] = reader
    return reader


def _read_model(cls: type[Model], data: Any) -> Any:
    if type(data) is not dict:
        raise _Unsupported(f"{type(data).__name__} where model {cls.__name__} is expected")
    reader = _reader(cls)
    values: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, value in data.items():
        entry = reader.get(key)
        if entry is None:
            unknown[key] = value  # msrest keeps keys the model does not know, as they came
        elif value is not None:
            attr, kind = entry
            values[attr] = _read(value, kind)
    model = cls(**values)
    if unknown:
        model.additional_properties = unknown
    return model


_JSON_SCALARS = {"str": str, "bool": bool, "int": int, "float": float}


def _read(value: Any, kind: str) -> Any:
    scalar = _JSON_SCALARS.get(kind)
    if scalar is not None:
        if type(value) is scalar:
            return value
        raise _Unsupported(f"{type(value).__name__} in a {kind} field")  # msrest would convert it
    if kind == "object":
        return value  # JSON as parsed; msrest's copy of it is equal
    if kind == "iso-8601":
        if type(value) is str:
            return _timestamp(value)
        raise _Unsupported("a non-string timestamp")
    if kind[0] == "[":
        return _items(value, kind, _read)
    model = CLIENT_MODELS.get(kind)
    if model is None or not issubclass(model, Model):
        raise _Unsupported(f"field type {kind}")
    return _read_model(model, value)


# The timestamps Teams sends ("2026-11-23T09:00:00.1234567Z", "2026-11-23T10:00:00.123+01:00"): read by
# datetime.fromisoformat, which keeps six decimals as msrest does, in a fifth of msrest's time (two per activity).
# Any other shape, or a date that does not exist, is msrest's to read or refuse.
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)\Z")


def _timestamp(value: str) -> _dt.datetime:
    if _TIMESTAMP.match(value):
        try:
            return _dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    return Deserializer.deserialize_iso(value)


def read_wire(cls: type[Model], data: dict[str, Any]) -> Any:
    """``cls().deserialize(data)`` for ``data`` parsed from JSON: the same model, several times faster.

    msrest walks every attribute the model could have (an Activity has about 45) for each object; this walks
    the keys present, with a table cached per class. A shape it does not reproduce exactly (a number where
    text is expected, which msrest would convert) goes through msrest for the whole payload.
    """
    try:
        return _read_model(cls, data)
    except _Unsupported:
        return cls().deserialize(data)


def from_wire(model_type: str, data: Any) -> Any:
    """Build the botbuilder model a stock ``ConnectorClient`` would have returned for ``data``."""
    if data is None:
        return None
    return _DESERIALIZER(model_type, data)
