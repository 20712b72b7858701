"""The engine's cache of compiled statements, looked up first by the identity of a statement's cache key.

SQLAlchemy finds a statement's compiled SQL by the statement's cache key, a tuple of its whole structure, which
the cache's dict hashes again at every execution (tuples do not keep their hash): 10-20 µs for the enquiry card's
guarded UPDATE and the outbox's "every copy due again", more than processing their parameters. A statement built
once (the hot paths keep theirs as module constants) gives the same key tuple at every execution, as SQLAlchemy
memoizes it on the statement, so this cache finds that tuple by identity first, without hashing it. Statements
built per call have a new tuple each time and are found by value, as before.

Written against SQLAlchemy 2.1's ``ClauseElement._compile_w_cache``, whose key is ``(dialect, cache key tuple,
column keys, has schema map, for executemany)``; tests/storage/test_compiled_cache.py fails if that changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.util import LRUCache

_KEY_LENGTH = 5  # (dialect, the statement's cache key tuple, column keys, schema map given, executemany)


def _identity(key: tuple[Any, ...]) -> tuple[Any, ...]:
    dialect, statement_key, column_keys, translated, many = key
    return dialect, id(statement_key), column_keys, translated, many


class IdentityFirstCache(LRUCache[Any, Any]):
    """SQLAlchemy's LRU cache of compiled statements, with each key's statement tuple also found by identity.

    The identity map keeps its tuples alive (so an id is never that of another, newer tuple), one per compiled
    form: a statement built per call, whose tuple is new each time, replaces its shape's entry instead of adding
    one. It is emptied when it reaches the cache's capacity, so it holds no more than the cache itself."""

    def __init__(self, capacity: int, threshold: float = 0.5, size_alert: Any = None) -> None:
        super().__init__(capacity, threshold, size_alert)
        self._by_identity: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self._identity_of: dict[int, tuple[Any, ...]] = {}  # id(compiled form) -> its entry's identity key

    def get(self, key: Any, default: Any = None) -> Any:
        if type(key) is tuple and len(key) == _KEY_LENGTH:
            found = self._by_identity.get(_identity(key))
            if found is not None and found[0] is key[1]:
                return found[1]
            compiled = super().get(key)
            if compiled is not None:
                self._remember(key, compiled)  # found by value: by identity from now on
                return compiled
            return default
        return super().get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        if type(key) is tuple and len(key) == _KEY_LENGTH:
            self._remember(key, value)

    def clear(self) -> None:
        super().clear()
        self._by_identity.clear()
        self._identity_of.clear()

    def _remember(self, key: tuple[Any, ...], compiled: Any) -> None:
        if len(self._by_identity) >= self.capacity:
            self._by_identity.clear()
            self._identity_of.clear()
        identity = _identity(key)
        earlier = self._identity_of.get(id(compiled))  # the entry keeps ``compiled`` alive: its id is its own
        if earlier is not None:
            self._by_identity.pop(earlier, None)
        self._by_identity[identity] = (key[1], compiled)
        self._identity_of[id(compiled)] = identity


def find_compiled_by_identity_first(engine: Engine) -> None:
    """Give ``engine`` an :class:`IdentityFirstCache` of the capacity it was created with (``query_cache_size``);
    an engine created without a cache keeps none."""
    cache = engine._compiled_cache
    if isinstance(cache, LRUCache) and not isinstance(cache, IdentityFirstCache):
        engine._compiled_cache = IdentityFirstCache(cache.capacity, cache.threshold, cache.size_alert)
