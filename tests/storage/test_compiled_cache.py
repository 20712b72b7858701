"""The engine's compiled-statement cache finds a statement built once by the identity of its cache key, on SQLite
and PostgreSQL; statements built per call are found by value, as SQLAlchemy's own cache finds them."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import LRUCache

from storage.compiled_cache import IdentityFirstCache
from storage.models import Enquiry

_BUILT_ONCE = select(Enquiry.id).where(Enquiry.reference == bindparam("reference"))


def _built_per_call() -> object:
    return select(Enquiry.id).where(Enquiry.reference == bindparam("reference"))


async def test_a_statement_built_once_is_found_without_hashing_its_key(engine: AsyncEngine, monkeypatch) -> None:
    """Fails loudly if SQLAlchemy's cache key for a compiled statement changes shape (storage/compiled_cache.py):
    the statement would then be found by value, its key hashed at every execution."""
    cache = engine.sync_engine._compiled_cache
    assert isinstance(cache, IdentityFirstCache)
    async with engine.connect() as connection:
        await connection.execute(_BUILT_ONCE, {"reference": "ENQ-1"})  # compiled, cached
        by_value: list[object] = []
        get = LRUCache.get

        def counted(self, key, default=None):  # type: ignore[no-untyped-def]
            by_value.append(key)
            return get(self, key, default)

        monkeypatch.setattr(LRUCache, "get", counted)
        before = len(cache)
        for _ in range(3):
            assert (await connection.execute(_BUILT_ONCE, {"reference": "ENQ-1"})).all() == []
    assert by_value == [] and len(cache) == before  # found by identity, and not compiled again
    # The layout the identity is taken from: (dialect, the statement's memoized key tuple, ...). Were the parts
    # moved, the statement's tuple would be hashed in the identity key and the saving silently lost.
    [key] = [key for key in cache._data if key[1] is _BUILT_ONCE._generate_cache_key()[0]]  # type: ignore[union-attr]
    assert len(key) == 5 and isinstance(key[0], Dialect)


async def test_a_statement_built_per_call_is_found_by_value(engine: AsyncEngine, monkeypatch) -> None:
    cache = engine.sync_engine._compiled_cache
    compiled: list[object] = []
    set_item = IdentityFirstCache.__setitem__

    def counted(self, key, value):  # type: ignore[no-untyped-def]
        compiled.append(key)
        set_item(self, key, value)

    monkeypatch.setattr(IdentityFirstCache, "__setitem__", counted)
    async with engine.connect() as connection:
        for _ in range(3):
            await connection.execute(_built_per_call(), {"reference": "ENQ-1"})  # type: ignore[call-overload]
    assert len(compiled) <= 1  # compiled once at most (an earlier test may have compiled it already)
    engine.sync_engine.clear_compiled_cache()
    assert len(cache) == 0 and cache.get((None, (), (), False, False)) is None


def test_the_identity_map_holds_no_more_than_the_cache() -> None:
    cache = IdentityFirstCache(4)
    keys = [(None, ("statement", n), (), False, False) for n in range(10)]
    for n, key in enumerate(keys):
        cache[key] = n
    assert len(cache._by_identity) <= 4
    assert [cache.get(key) for key in keys[-3:]] == [7, 8, 9]  # found by identity
    assert cache.get((None, ("statement", 9), (), False, False)) == 9  # an equal key, another tuple: by value
    assert cache.get((None, ("statement", 99), (), False, False), "none") == "none"
    assert cache.get("another shape", "none") == "none"


def test_a_shape_built_per_call_keeps_one_identity_entry() -> None:
    """Each execution of a statement built per call brings a new key tuple: its shape's one entry is replaced,
    so the map does not fill with tuples nobody will present again."""
    cache = IdentityFirstCache(100)
    compiled = object()
    cache[(None, ("shape",), (), False, False)] = compiled
    for _ in range(50):
        assert cache.get((None, tuple(["shape"]), (), False, False)) is compiled  # equal, a new tuple each time
    assert len(cache._by_identity) == 1


async def test_the_engine_keeps_its_cache_size_alert(engine: AsyncEngine) -> None:
    """The engine logs its cache's pruning (when its info logging is on) through the cache's size alert."""
    cache = engine.sync_engine._compiled_cache
    assert isinstance(cache, IdentityFirstCache)
    assert cache.size_alert is not None and cache.size_alert == engine.sync_engine._lru_size_alert
