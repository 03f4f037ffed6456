"""Strict JSON for claim documents (mamori.io.jsonio): what a lenient parser would let through is refused,
with the line and column or the path of the key, in Japanese and English."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from mamori import catalog as catalog_mod
from mamori.errors import FieldError, InvalidInput
from mamori.io import jsonio
from mamori.usecases import claims as claim_usecases

EXAMPLE_BYTES = (Path(__file__).parents[1] / "data" / "interface_claim_example.json").read_bytes()
EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_BYTES)
CATALOG = catalog_mod.FolderCatalog()


def refused(data: bytes | str) -> list[FieldError]:
    with pytest.raises(InvalidInput) as info:
        claim_usecases.calculate_claim(CATALOG, data)
    return list(info.value.errors)


# fmt: off
DUPLICATES = [
    ('{"a": 1, "a": 2}', "a"),
    ('{"policy": {"deductible": 1, "deductible": 2}}', "policy.deductible"),
    ('{"costs": [{"id": "c1"}, {"id": "c2", "amount": 1, "amount": 2}]}', "costs[1].amount"),
    ('{"incident": {"personal_data": {"card_data": true, "card_data": false}}}', "incident.personal_data.card_data"),
]
# fmt: on


@pytest.mark.parametrize(("text", "field"), DUPLICATES)
def test_a_key_given_twice_at_any_depth_is_refused_by_its_path(text: str, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        jsonio.loads(text.encode())
    assert [(e.field, e.code) for e in info.value.errors] == [(field, "E_DUPLICATE_KEY")]


def test_a_duplicate_hidden_under_another_duplicate_is_found_too() -> None:
    text = b'{"bi": {"fixed_costs": 1, "fixed_costs": 2}, "bi": null}'
    with pytest.raises(InvalidInput) as info:
        jsonio.loads(text)
    assert sorted(e.field for e in info.value.errors) == ["bi", "bi.fixed_costs"]


def test_a_corrected_amount_written_below_the_original_is_never_silently_taken() -> None:
    text = EXAMPLE_BYTES.decode().replace('"amount": 5000000', '"amount": 5000000, "amount": 50000000', 1)
    (error,) = refused(text)
    assert (error.field, error.code) == ("costs[0].amount", "E_DUPLICATE_KEY")
    assert error.message("ja") == (
        "金額（costs[0].amount）が同じ JSON オブジェクトの中で2回以上指定されています。1回だけ指定してください。"
    )


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_with_their_position(token: str) -> None:
    text = EXAMPLE_BYTES.decode().replace('"amount": 5000000', f'"amount": {token}', 1)
    (error,) = refused(text)
    assert error.code == "E_JSON_NAN"
    line = text.splitlines()[error.params["line"] - 1]
    assert line[error.params["column"] - 1 :].lstrip("-").startswith(token.lstrip("-"))


def test_a_number_too_large_for_a_float_is_not_an_amount() -> None:
    text = EXAMPLE_BYTES.decode().replace('"amount": 5000000', '"amount": 1e400', 1)
    (error,) = refused(text)
    assert (error.field, error.code) == ("costs[0].amount", "E_INTEGER")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "E_JSON_EMPTY"),
        (b"  \n ", "E_JSON_EMPTY"),
        (b'{"policy": ', "E_JSON_EOF"),
        (b'{"a": 1}\n{"b": 2}', "E_JSON_TRAILING"),
        (b'{"a": 1,}', "E_JSON_SYNTAX"),
        (b"{a: 1}", "E_JSON_SYNTAX"),
        (b'{"a": "\\ud800"}', "E_JSON_SYNTAX"),
        (b"[" * 5000 + b"]" * 5000, "E_JSON_SYNTAX"),
    ],
)
def test_malformed_json_is_one_problem_of_the_whole_document(data: bytes, code: str) -> None:
    (error,) = refused(data)
    assert (error.field, error.code) == ("$", code)
    assert error.message("ja") != error.message("en")


def test_a_syntax_error_counts_columns_in_characters_not_bytes() -> None:
    (error,) = refused('{"あいう": tru}'.encode())  # the parser stops at "}" after "tru": byte 18, character 12
    assert (error.params["line"], error.params["column"]) == (1, 12)
    assert "1行目 12文字目" in error.message("ja")
    assert "line 1, column 12" in error.message("en")


@pytest.mark.parametrize("data", [b'{"a": "\xff"}', "{}".encode("utf-16"), b'{"x": "caf\xe9"}'])
def test_input_that_is_not_utf8_is_a_clear_error(data: bytes) -> None:
    (error,) = refused(data)
    assert error.code == "E_JSON_ENCODING"
    assert "UTF-8" in error.message("ja")
    assert "UTF-8" in error.message("en")


def test_a_leading_byte_order_mark_is_tolerated() -> None:
    assert claim_usecases.calculate_claim(CATALOG, jsonio.BOM + EXAMPLE_BYTES).payable_total == 31_300_000


def test_text_a_mapping_and_bytes_give_the_same_answer() -> None:
    answers = {
        claim_usecases.calculate_claim(CATALOG, data).payable_total
        for data in (EXAMPLE_BYTES, EXAMPLE_BYTES.decode(), EXAMPLE)
    }
    assert answers == {31_300_000}


def test_a_mapping_holding_nan_is_refused_like_text_holding_it() -> None:
    doc = json.loads(EXAMPLE_BYTES)
    doc["costs"][0]["amount"] = float("nan")
    (error,) = refused_mapping(doc)
    assert error.code == "E_JSON_VALUE"


def refused_mapping(doc: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(InvalidInput) as info:
        claim_usecases.calculate_claim(CATALOG, doc)
    return list(info.value.errors)


# --------------------------------------------------------------------------- one document or lines


def read(data: bytes, *, lines: bool | None = None) -> jsonio.JsonInput:
    return jsonio.read_input(io.BytesIO(data), lines=lines)


def test_a_pretty_printed_document_is_one_document() -> None:
    source = read(json.dumps(EXAMPLE, indent=2).encode())
    assert source.lines is None
    assert source.document is not None
    assert json.loads(source.document) == EXAMPLE


def test_a_single_compact_line_is_one_document() -> None:
    assert read(json.dumps(EXAMPLE).encode() + b"\n\n").document is not None


def test_complete_values_on_several_lines_are_json_lines_read_lazily() -> None:
    data = b"\n" + json.dumps(EXAMPLE).encode() + b"\n" + json.dumps(EXAMPLE).encode() + b"\n"
    source = read(data)
    assert source.document is None
    assert source.lines is not None
    assert [len(line.strip()) > 0 for line in source.lines] == [False, True, True]


def test_a_jsonl_name_is_json_lines_even_for_one_line() -> None:
    source = read(jsonio.BOM + json.dumps(EXAMPLE).encode(), lines=True)
    assert source.lines is not None
    assert [json.loads(line) for line in source.lines] == [EXAMPLE]
