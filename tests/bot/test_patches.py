"""The one botbuilder patch (bot/auth/patches.py): pinned to the exact upstream code it relies on.

If botbuilder is upgraded, these tests fail with a message saying what to re-check, instead of the patch
silently not applying (tokens would again be validated with keys fetched by blocking ``requests`` calls, and an
unknown signing key would again be a 500).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect

import pytest
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata

from bot.auth import patches
from bot.auth.keys import KeySetRegistry, SigningKeySet
from bot.connector.session import SessionHolder

PINNED_VERSION = "4.17.1"
_EXTRACTOR = "botframework.connector.auth.jwt_token_extractor.JwtTokenExtractor"
PINNED_SOURCES = {
    f"{_EXTRACTOR}.__init__": "440d891ab7fee5fad59ab7a95d036d93fb0bb80559ede0db982e222f6ba1aa9d",
    f"{_EXTRACTOR}._validate_token": "9fad54c9e0ce9bde449715eb12503b21298621cdb3ffc758586f14a11650020b",
    f"{_EXTRACTOR}.get_open_id_metadata": "f31e9b4a937f052555eac8575cbdf325c58aee59ffaf7d8563f4d5d0d853cd4e",
}
UPGRADE_HINT = (
    "botbuilder changed under bot/auth/patches.py. Re-read JwtTokenExtractor (how it gets signing keys and "
    "what it reads from them: .public_key, .endorsements), adapt SigningKeySet/patches.py, then re-pin here."
)


def _upstream_source(dotted: str) -> str:
    if dotted == patches.PATCHED:
        return inspect.getsource(patches._original_get_open_id_metadata)
    module, cls, name = dotted.rsplit(".", 2)
    return inspect.getsource(getattr(getattr(importlib.import_module(module), cls), name))


def test_botbuilder_is_the_pinned_version() -> None:
    for package in ("botframework-connector", "botbuilder-core", "botbuilder-integration-aiohttp"):
        assert importlib.metadata.version(package) == PINNED_VERSION, UPGRADE_HINT


def test_the_patch_covers_exactly_the_pinned_functions() -> None:
    assert set(patches.RELIED_ON) == set(PINNED_SOURCES), UPGRADE_HINT


@pytest.mark.parametrize("dotted", sorted(PINNED_SOURCES))
def test_upstream_source_is_unchanged(dotted: str) -> None:
    digest = hashlib.sha256(_upstream_source(dotted).encode("utf-8")).hexdigest()
    assert digest == PINNED_SOURCES[dotted], f"{dotted} changed. {UPGRADE_HINT}"


def test_extractor_reads_only_what_signing_key_provides() -> None:
    # _validate_token awaits metadata.get(kid) and then reads exactly these two attributes.
    source = _upstream_source("botframework.connector.auth.jwt_token_extractor.JwtTokenExtractor._validate_token")
    assert "await self.open_id_metadata.get(key_id)" in source
    assert {"metadata.endorsements", "metadata.public_key"} <= {
        word for word in source.replace("(", " ").replace(",", " ").split() if word.startswith("metadata.")
    }


async def test_inside_the_block_extractors_use_the_adapters_key_set() -> None:
    registry = KeySetRegistry(SessionHolder())
    patches.install()
    with patches.signing_keys_from(registry):
        extractor = JwtTokenExtractor(_options(), "http://127.0.0.1:9/metadata", ["RS256"])
    assert isinstance(extractor.open_id_metadata, SigningKeySet)
    assert extractor.open_id_metadata is registry.get("http://127.0.0.1:9/metadata")


async def test_outside_the_block_botbuilder_behaves_as_before() -> None:
    patches.install()
    extractor = JwtTokenExtractor(_options(), "http://127.0.0.1:9/other-metadata", ["RS256"])
    assert isinstance(extractor.open_id_metadata, _OpenIdMetadata)
    JwtTokenExtractor.metadataCache.pop("http://127.0.0.1:9/other-metadata", None)


def test_install_is_idempotent() -> None:
    patches.install()
    patches.install()
    assert patches.installed()
    assert JwtTokenExtractor.get_open_id_metadata("http://127.0.0.1:9/x") is not None  # original path, no network
    JwtTokenExtractor.metadataCache.pop("http://127.0.0.1:9/x", None)


def _options():  # type: ignore[no-untyped-def]
    from botframework.connector.auth import VerifyOptions

    return VerifyOptions(
        issuer=["https://api.botframework.com"], audience=None, clock_tolerance=300, ignore_expiration=False
    )
