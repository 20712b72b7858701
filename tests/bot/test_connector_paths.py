"""Path segments of Bot Connector requests are percent-encoded exactly as msrest (urllib's quote) encodes them."""

from __future__ import annotations

import random
from urllib.parse import quote

import pytest

from bot.connector import client as client_module


@pytest.mark.parametrize(
    "segment",
    [
        "",
        "1234567890123",
        "a:1Xk9wZ2fQ-tv1UoRn0a7bYhS2PZ9q3rXW8LhKO",
        "19:meeting_abc@thread.v2",
        "29:1a-b_c.d~e",
        "f:123;messageid=1700000000000",
        "with space/and?query#frag&x=1+2%41",
        "Zoë 🙂 日本",
        "\x00\x7f\u00a0",
    ],
)
def test_path_segments_are_quoted_as_msrest_quotes_them(segment: str) -> None:
    assert client_module._quoted(segment) == quote(segment, safe="")


def test_random_path_segments_are_quoted_as_msrest_quotes_them() -> None:
    rng = random.Random(19)
    alphabet = [chr(c) for c in range(0, 0x250)] + ["🙂", "日", "\U0010fffd"]
    for _ in range(2000):
        segment = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24)))
        assert client_module._quoted(segment) == quote(segment, safe="")


def test_a_lone_surrogate_in_a_path_segment_fails_as_quote_fails() -> None:
    with pytest.raises(UnicodeEncodeError):
        quote("a\ud800", safe="")
    with pytest.raises(UnicodeEncodeError):
        client_module._quoted("a\ud800")
