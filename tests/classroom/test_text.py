"""Cleaning typed text: invisible characters go, everything a reader sees (emoji sequences included) stays. Every
string from outside loses what one database stores and the other refuses, and is put in NFC."""

from __future__ import annotations

import pytest

from classroom.text import bounded, clean, storable

WOMAN_TECHNOLOGIST = "\U0001f469\u200d\U0001f4bb"  # 👩‍💻: woman, zero-width joiner, laptop
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"  # 🏳️‍🌈
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # 🏴󠁧󠁢󠁳󠁣󠁴󠁿: flag and tag letters
KEYCAP_ONE = "1\ufe0f\u20e3"  # 1️⃣


def test_text_is_cleaned_of_control_characters_and_runs_of_spaces() -> None:
    assert clean("  Alex \u200b\u0007  Wilber\t ") == "Alex Wilber"
    assert clean("line one\nline  two") == "line one\nline two"


@pytest.mark.parametrize("emoji", [WOMAN_TECHNOLOGIST, FAMILY, RAINBOW_FLAG, SCOTLAND, KEYCAP_ONE])
def test_emoji_sequences_keep_their_joiners_and_tags(emoji: str) -> None:
    assert clean(f"Thanks {emoji}!") == f"Thanks {emoji}!"


def test_scripts_that_need_joiners_keep_them() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", spelt with a zero-width non-joiner
    assert clean(persian) == persian


def test_invisible_characters_that_hide_or_reorder_text_go() -> None:
    bidi_override = "\u202eevil\u202c"  # shows reversed
    assert clean(f"\ufeffAlex{bidi_override}\u2060") == "Alexevil"
    hidden_tags = "hi\U000e0068\U000e0069"  # tag letters outside a flag: invisible text
    assert clean(hidden_tags) == "hi"
    assert clean("broken \ud800 half") == "broken half"


def test_characters_newer_than_pythons_unicode_tables_are_kept() -> None:
    face_with_bags_under_eyes = "\U0001fae9"  # Unicode 16 (2024): unassigned in Python 3.11's tables
    assert clean(f"tired {face_with_bags_under_eyes}") == f"tired {face_with_bags_under_eyes}"


DECOMPOSED_ZOE = "Zoe\u0308"  # e + combining diaeresis, as some keyboards type it
COMPOSED_ZOE = "Zo\u00eb"


def test_every_string_loses_what_postgresql_refuses_and_is_put_in_nfc() -> None:
    assert storable("Al\x00ex \udc00Wilber") == "Alex Wilber"
    assert storable(DECOMPOSED_ZOE) == COMPOSED_ZOE
    already_fine = "29:1a2b  spaced\u200bid"  # ids are not trimmed, collapsed or stripped of invisible characters
    assert storable(already_fine) == already_fine


def test_bounded_cuts_after_cleaning_to_what_the_column_holds() -> None:
    assert bounded("\x00" * 5 + "Alex Wilber", 4) == "Alex"
    assert bounded(DECOMPOSED_ZOE, 3) == COMPOSED_ZOE  # normalised first: three characters, nothing cut
    assert bounded("Alex", 200) == "Alex"


def test_typed_text_is_put_in_nfc_too() -> None:
    assert clean(f"  {DECOMPOSED_ZOE}\x00 ") == COMPOSED_ZOE
