"""JSON on the wire: orjson's speed with the standard library's meaning."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.adapter import TurnOutcome, invoke_body_json
from storage.json_text import dumps_utf8 as dumps
from storage.json_text import loads
from tests.support.card_samples import CardSample, build_card_samples


def _stdlib(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[CardSample]:
    return build_card_samples(tmp_path_factory.mktemp("cards"))


def test_every_sample_card_is_written_byte_for_byte_as_the_standard_library_writes_it(
    samples: list[CardSample],
) -> None:
    assert samples
    for sample in samples:
        assert dumps(sample.message.card) == _stdlib(sample.message.card), sample.name


def test_text_people_type_and_keys_that_are_not_strings_come_out_as_json_writes_them() -> None:
    value = {"text": 'Zoë said "hi"\n\u2028\x00 <b>', 1: "one", "list": [1.5, None, True]}
    assert dumps(value) == _stdlib(value)


@pytest.mark.parametrize("not_plain", [dt.datetime(2026, 12, 4, 9, 30), dataclasses.make_dataclass("Row", [])()])
def test_what_is_not_plain_json_is_refused_so_callers_fall_back_to_msrest(not_plain: object) -> None:
    with pytest.raises(TypeError):
        dumps({"value": not_plain})


def test_a_datetime_inside_an_invoke_answer_still_goes_through_msrests_walk() -> None:
    body = AdaptiveCardInvokeResponse(status_code=200, type="x", value={"at": dt.datetime(2026, 12, 4, 9, 30)})
    assert json.loads(invoke_body_json(body))["value"]["at"].startswith("2026-12-04T09:30:00")


def test_reading_keeps_the_standard_librarys_verdicts() -> None:
    assert loads(b'{"name":"\\ud800x"}') == {"name": "\ud800x"}  # orjson refuses it; the inbound gate cleans it
    with pytest.raises(RecursionError):
        loads(b"[" * 5000 + b"]" * 5000)
    with pytest.raises(ValueError):
        loads(b'{"text": "unterminated')


def test_an_invoke_answer_says_it_is_utf8_since_it_is_written_without_escapes() -> None:
    body = invoke_body_json(AdaptiveCardInvokeResponse(status_code=200, type="x", value={"text": "Zoë"}))
    assert "Zoë".encode() in body
    response = TurnOutcome(200, body).response()
    assert response.content_type == "application/json" and response.charset == "utf-8"


def test_an_integer_beyond_64_bits_is_written_as_json_writes_it() -> None:
    value = {"id": 2**64, "text": "é"}
    assert dumps(value) == _stdlib(value)
