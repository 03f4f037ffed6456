"""A book of policies read from a table or from the web application's records, with the rules of a quote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from mamori import catalog as catalog_mod
from mamori.errors import FieldError, InvalidInput
from mamori.usecases import portfolio as usecase

BOOK = Path(__file__).resolve().parent.parent / "data" / "portfolio" / "book.csv"
RECORD: dict[str, Any] = {
    "policy_id": "SC-1",
    "industry": "wholesale",
    "revenue": 500_000_000,
    "liability_limit": 100_000_000,
    "expense_limit": 30_000_000,
    "deductible": 100_000,
    "bi_limit": 0,
    "pd_rider": False,
    "annual_premium": 62_120,
}


def problems(records: list[dict[str, Any]], version: catalog_mod.ProductVersion) -> list[FieldError]:
    with pytest.raises(InvalidInput) as caught:
        usecase.book_from_records(records, version)
    return list(caught.value.errors)


def test_the_sample_book_reads_with_every_column(version: catalog_mod.ProductVersion) -> None:
    book = usecase.read_book(BOOK, version)
    assert len(book) == 40
    assert book.policy_id[0] == "SC-2026-00001"
    assert book.industries[book.industry[0]] == "real_estate"
    assert (book.revenue[0], book.deductible[0], book.bi_limit[0], book.annual_premium[0]) == (
        64_000_000,
        300_000,
        30_000_000,
        20_740,
    )
    assert book.security_measures[:3].tolist() == [5, 10, 5]


def test_a_book_from_records_is_the_book_of_the_same_table(version: catalog_mod.ProductVersion) -> None:
    table = usecase.read_book(BOOK, version).to_table()
    from_records = usecase.book_from_records(table.to_pylist(), version)
    assert from_records.to_table().equals(table)


def test_records_are_read_with_the_rules_of_a_quote(version: catalog_mod.ProductVersion) -> None:
    book = usecase.book_from_records(
        [{**RECORD, "revenue": "500,000,000", "pd_rider": "はい", "industry": "Wholesale", "measures": ["S01", "S04"]}],
        version,
    )
    assert (book.revenue[0], bool(book.pd_rider[0]), book.industries[book.industry[0]]) == (
        500_000_000,
        True,
        "wholesale",
    )
    assert book.security_measures[0] == 2


def test_without_a_declaration_the_reference_number_of_measures_applies(version: catalog_mod.ProductVersion) -> None:
    assert usecase.book_from_records([RECORD], version).security_measures.tolist() == [5]


def test_an_unknown_industry_is_refused_with_its_row_and_the_allowed_classes(
    version: catalog_mod.ProductVersion,
) -> None:
    (error,) = problems([RECORD, {**RECORD, "policy_id": "SC-2", "industry": "bakery"}], version)
    assert (error.field, error.code, error.row) == ("industry", "E_CHOICE", 2)
    assert "wholesale" in error.params["allowed"]
    assert "bakery" in error.message("en")


def test_every_problem_is_reported_with_how_many_rows_share_it(version: catalog_mod.ProductVersion) -> None:
    found = problems([{**RECORD, "revenue": 0}, {**RECORD, "revenue": -5}, {**RECORD, "deductible": "many"}], version)
    by_field = {(e.field, e.code): e for e in found}
    assert by_field["revenue", "E_RANGE"].row == 1
    assert by_field["revenue", "E_RANGE"].more == 1
    assert by_field["deductible", "E_INTEGER"].row == 3


def test_a_missing_column_is_refused_naming_it(version: catalog_mod.ProductVersion) -> None:
    record = {k: v for k, v in RECORD.items() if k != "annual_premium"}
    (error,) = problems([record], version)
    assert (error.field, error.code) == ("annual_premium", "E_COLUMN_MISSING")


def test_a_misspelt_column_is_refused_with_the_name_it_resembles(version: catalog_mod.ProductVersion) -> None:
    found = problems([{**RECORD, "security_measure": 3}], version)
    assert [(e.field, e.code, e.params["suggestion"]) for e in found] == [
        ("security_measure", "E_COLUMN_UNKNOWN", "security_measures")
    ]


def test_other_columns_pass_unread(version: catalog_mod.ProductVersion) -> None:
    assert len(usecase.book_from_records([{**RECORD, "customer_name": "株式会社まもり"}], version)) == 1


def test_too_many_security_measures_are_refused(version: catalog_mod.ProductVersion) -> None:
    (error,) = problems([{**RECORD, "security_measures": 11}], version)
    assert (error.field, error.code, error.params["maximum"]) == ("security_measures", "E_RANGE", 10)


def test_an_empty_book_is_refused(version: catalog_mod.ProductVersion) -> None:
    table = pa.table({name: pa.array([], type=pa.string()) for name in RECORD})
    with pytest.raises(InvalidInput):
        usecase.book_from_table(table, version)


def test_typed_parquet_columns_are_read_as_they_are(version: catalog_mod.ProductVersion) -> None:
    table = pa.table({name: [value] for name, value in RECORD.items()})
    book = usecase.book_from_table(table, version)
    assert book.expense_limit.tolist() == [30_000_000]
    assert book.pd_rider.tolist() == [False]
