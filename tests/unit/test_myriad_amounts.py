"""Amounts typed as a Japanese owner writes them (issue 15): 8,000万円, 8000万, 650万, 1億 — read in the one
input path, so the CLI, the API and the pages agree."""

from __future__ import annotations

import pytest

from mamori.errors import InvalidInput
from mamori.rating import values


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("8,000万円", 80_000_000),
        ("8000万", 80_000_000),
        ("650万", 6_500_000),
        ("1億", 100_000_000),
        ("1億2,000万円", 120_000_000),
        ("１億５０００万", 150_000_000),
        ("3万5000円", 35_000),
        ("-650万", -6_500_000),
        ("80,000,000円", 80_000_000),
    ],
)
def test_myriad_units_are_read(typed: str, amount: int) -> None:
    assert values.read_integer(typed) == amount
    assert values.read_yen("revenue", typed, minimum=-(10**15)) == amount


@pytest.mark.parametrize("typed", ["万", "億円", "1万2万", "1億10000万", "5万10000", "8,00万", "1.5億", "万5"])
def test_malformed_units_are_refused(typed: str) -> None:
    assert values.read_integer(typed) == "E_INTEGER"


def test_a_quote_reads_the_revenue_in_man() -> None:
    from mamori import catalog
    from mamori.rating import inputs

    raw = {"industry": "wholesale", "revenue": "8,000万円", "liability_limit": "1億", "start": "2026-04-01"}
    _version, risk = inputs.parse_risk(raw, catalog=catalog.FolderCatalog())
    assert (risk.revenue, risk.liability_limit) == (80_000_000, 100_000_000)


def test_out_of_range_is_still_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        values.read_yen("amount", "100000000億", minimum=0)
    assert caught.value.errors[0].code == "E_RANGE"
