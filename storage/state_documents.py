"""Dialog state to and from its stored document, without jsonpickle's generic walk where the state is plain.

``SqlAlchemyStorage`` stores state as jsonpickle writes it (``Pickler().flatten``) and reads it back with jsonpickle's
``Unpickler``. Both walk every value through several layers of generic checks (reducers, handlers, references,
tags): for an enrolment's terms question, about 115 us to write its state and 190 us to read it, a tenth of the
dialog's CPU. Dialog state is nearly always plain: dicts with string keys, lists, strings, numbers, and a few
classes registered here (:func:`keep_plainly`: botbuilder's ``DialogState`` and ``DialogInstance``, a question's
options). For such a state :func:`flatten` and :func:`restore` give exactly what jsonpickle gives, the same
document and the same objects, in a single pass. Anything else, or anything jsonpickle would write in a way of
its own (a value seen twice, which it writes as a reference; a tuple, a set, a non-string or reserved key, a
class not registered), returns ``None``/raises :class:`NotPlain`, and the caller uses jsonpickle as before; so a
document's format never depends on which path wrote it. ``tests/storage/test_state_documents.py`` checks both
against jsonpickle (3.4; a new release that changes its format fails there).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonpickle import handlers, tags

__all__ = ["NotPlain", "flatten", "keep_plainly", "restore"]

_OBJECT, _STATE = tags.OBJECT, tags.STATE
_PRIMITIVES = (str, int, float, bool, type(None))
_RESERVED = tags.RESERVED
_TAG_START = "py/"
# Registered classes, by the name jsonpickle writes for them: kept as their attributes, or as ``__getstate__``'s.
_BY_NAME: dict[str, Any] = {}
_BY_CLASS: dict[type, tuple[str, bool]] = {}  # class -> (its name, kept as its __getstate__'s)


class NotPlain(Exception):  # not an error: the caller's other path
    """The value or document is not one :func:`flatten`/:func:`restore` handle: use jsonpickle."""


def keep_plainly(cls: type) -> type:
    """Register ``cls`` (usable as a class decorator): its instances are written, as jsonpickle writes them, as
    ``{"py/object": name, **attributes}``, or ``{"py/object": name, "py/state": __getstate__()}`` when it defines
    ``__getstate__`` and ``__setstate__``; and read back the way jsonpickle reads them (``cls.__new__(cls)``, then
    the attributes set, or ``__setstate__`` called).

    Raises:
        TypeError: jsonpickle would write ``cls`` some other way (a reducer, ``__getnewargs__``, slots, a
            handler, a dict, list or iterator subclass), so it cannot be kept plainly.
    """
    name = f"{cls.__module__}.{cls.__qualname__}"
    kind: Any = cls  # its methods compared with object's own, which the type checker takes for other signatures
    own_state = kind.__getstate__ is not _OBJECT_METHODS.__getstate__
    refused = [
        *(f"defines {method}" for method in _REDUCERS if getattr(cls, method, None) is not getattr(object, method)),
        *(f"defines {method}" for method in _NEW_ARGS if hasattr(cls, method)),
        *(["has no __setstate__ for its __getstate__"] if own_state and not hasattr(cls, "__setstate__") else []),
        *(["has slots"] if any("__slots__" in vars(base) for base in cls.__mro__[:-1]) else []),
        *(["has a jsonpickle handler"] if handlers.get(cls, handlers.get(name)) is not None else []),
        *(["is a collection or an iterator"] if issubclass(cls, (dict, list, tuple, set, Iterator)) else []),
        *(["is list-like"] if hasattr(cls, "__getitem__") and hasattr(cls, "append") else []),
        *(["excludes attributes from jsonpickle"] if hasattr(cls, "_jsonpickle_exclude") else []),
        *(["is made by its own __new__"] if kind.__new__ is not _OBJECT_METHODS.__new__ else []),
        *(["has a name jsonpickle cannot import"] if "<" in name else []),
    ]
    if refused:
        raise TypeError(f"{name} cannot be kept plainly: it {', '.join(refused)}")
    _BY_NAME[name] = cls
    _BY_CLASS[cls] = (name, own_state)
    return cls


_OBJECT_METHODS: Any = object
_REDUCERS = ("__reduce__", "__reduce_ex__")
_NEW_ARGS = ("__getnewargs__", "__getnewargs_ex__", "__getinitargs__")


def flatten(value: object) -> Any:
    """What ``jsonpickle.Pickler().flatten(value)`` returns, for a plain value (see the module's notes).

    Raises:
        NotPlain: ``value`` holds something jsonpickle would write another way.
    """
    seen: dict[int, object] = {}  # every container and object met, kept alive so that no id is reused meanwhile
    return _flat(value, seen)


def _flat(value: object, seen: dict[int, object]) -> Any:
    kind = type(value)
    if kind in _PRIMITIVES:
        return value
    if id(value) in seen:
        raise NotPlain("a value met twice (jsonpickle writes a reference)")
    seen[id(value)] = value
    if kind is list:
        return [_flat(item, seen) for item in value]  # type: ignore[attr-defined]
    if kind is dict:
        return _flat_items(value, {}, seen)  # type: ignore[arg-type]
    registered = _BY_CLASS.get(kind)
    if registered is None:
        raise NotPlain(f"{kind.__qualname__} is not kept plainly")
    name, own_state = registered
    attributes = value.__dict__
    if any(key.startswith("__") for key in attributes):  # an instance's own reducer, say: jsonpickle's business
        raise NotPlain(f"{name} has a dunder attribute")
    if own_state:
        state = value.__getstate__()
        if not state:  # jsonpickle then writes the attributes instead
            raise NotPlain(f"{name}'s state is empty")
        return {_OBJECT: name, _STATE: _flat(state, seen)}
    return _flat_items(attributes, {_OBJECT: name}, seen)


def _flat_items(items: dict[Any, Any], into: dict[str, Any], seen: dict[int, object]) -> dict[str, Any]:
    for key, item in items.items():
        if type(key) is not str or key in _RESERVED:  # jsonpickle writes the first as repr(), drops the second
            raise NotPlain("a key jsonpickle writes in its own way")
        into[key] = _flat(item, seen)
    return into


def restore(data: Any) -> Any:
    """What ``jsonpickle.Unpickler().restore(data)`` returns for ``data`` (parsed JSON) that :func:`flatten` could
    have written.

    Raises:
        NotPlain: ``data`` has a tag this does not read (a reference, a tuple, a class not registered...).
    """
    kind = type(data)
    if kind is dict:
        return _restored_dict(data)
    if kind is list:
        return [restore(item) for item in data]
    return data


def _restored_dict(data: dict[str, Any]) -> Any:
    name = data.get(_OBJECT)
    if name is None:
        restored = {}
        for key, item in data.items():
            if key.startswith(_TAG_START):  # py/id, py/tuple, py/b64...: jsonpickle's to read
                raise NotPlain(f"tag {key}")
            restored[key] = restore(item)
        return restored
    cls = _BY_NAME.get(name) if type(name) is str else None
    if cls is None:
        raise NotPlain(f"{name!r} is not kept plainly")
    instance = cls.__new__(cls)
    if _BY_CLASS[cls][1]:  # its __getstate__'s, given to __setstate__
        if len(data) != 2 or _STATE not in data:
            raise NotPlain(f"{name} without its state alone")
        instance.__setstate__(restore(data[_STATE]))
        return instance
    for key, item in data.items():
        if key == _OBJECT:
            continue
        if key.startswith((_TAG_START, "__")) or key == "default_factory":  # jsonpickle reads these its own way
            raise NotPlain(f"{name} with {key}")
        setattr(instance, key, restore(item))
    return instance
