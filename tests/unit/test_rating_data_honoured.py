"""The product data is honoured: editing a value of product.toml, industries.csv or security_measures.toml
changes what a quote does (a key that changed nothing would be a bug; the loader refuses unread keys)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from mamori import catalog as catalog_mod
from mamori import usecases
from mamori.errors import InvalidInput
from mamori.rating import columns, engine, vectorised

Edit = tuple[str, str, str]
BASE = {"industry": "wholesale", "revenue": 500_000_000, "start": "2026-04-01"}


@pytest.fixture
def quote_with(edited_version: Callable[..., catalog_mod.ProductVersion]) -> Callable[..., Any]:
    """Quote ``raw`` with the shipped version after ``edits``."""

    def make(edits: list[Edit], **raw: Any) -> engine.Quote:
        catalog = catalog_mod.InMemoryCatalog([edited_version(*edits)])
        return usecases.quote(catalog, {**BASE, **raw}, today=dt.date(2026, 4, 1))

    return make


def both_paths(version: catalog_mod.ProductVersion, raw: dict[str, Any]) -> tuple[int | None, int]:
    catalog = catalog_mod.InMemoryCatalog([version])
    scalar = usecases.quote(catalog, raw).monthly_premium
    (group,) = columns.read_columns(
        pa.table({k: [v] for k, v in raw.items()}), catalog=catalog, today=dt.date(2026, 4, 1)
    )
    return scalar, int(vectorised.rate_columns(group).premiums["monthly"][0])


RETAIL_7425 = {
    "industry": "retail",
    "revenue": 500_000_000,
    "liability_limit": 30_000_000,
    "bi_limit": 30_000_000,
    "start": "2026-04-01",
}


@pytest.mark.parametrize(("mode", "monthly"), [("HALF_UP", 7430), ("HALF_EVEN", 7420), ("DOWN", 7420), ("UP", 7430)])
def test_the_rounding_mode_of_the_data_decides_an_exact_half_on_both_paths(
    edited_version: Callable[..., catalog_mod.ProductVersion], mode: str, monthly: int
) -> None:
    version = edited_version(("product.toml", 'rounding_mode = "HALF_UP"', f'rounding_mode = "{mode}"'))
    assert both_paths(version, RETAIL_7425) == (monthly, monthly)


def test_the_rounding_unit_of_the_data_is_used(quote_with: Callable[..., engine.Quote]) -> None:
    q = quote_with(
        [
            (
                "product.toml",
                'rounding_unit = { value = 10, source = "published" }',
                'rounding_unit = { value = 100, source = "published" }',
            )
        ],
        liability_limit=30_000_000,
    )
    assert q.monthly_premium == 4000  # 5,280 × 0.75 = 3,960 → 4,000
    assert q.to_dict()["rounding"] == {"unit": 100, "mode": "HALF_UP"}


CASES: list[tuple[str, list[Edit], dict[str, Any], Callable[[engine.Quote], Any], Any]] = [
    (
        "the installment count",
        [("product.toml", "installments = 12 ", "installments = 10 ")],
        {},
        lambda q: q.to_dict()["installments"],
        10,
    ),
    (
        "the annual divisor",
        [("product.toml", 'divisor = "1.02"', 'divisor = "1.10"')],
        {},
        lambda q: q.annual_premium,
        57600,
    ),  # 5,280 × 12 / 1.10
    (
        "the months of an annual installment",
        [("product.toml", "months_per_installment = 12", "months_per_installment = 11")],
        {},
        lambda q: q.annual_premium,
        56940,
    ),  # 5,280 × 11 / 1.02 = 56,941.2
    (
        "the monthly minimum",
        [("product.toml", "value = 1_500,", "value = 6_000,")],
        {},
        lambda q: q.monthly_premium,
        6000,
    ),
    (
        "the annual minimum",
        [("product.toml", "minimum = 17_650", "minimum = 70_000")],
        {},
        lambda q: q.annual_premium,
        70000,
    ),
    (
        "the revenue floor",
        [("product.toml", "revenue_floor = { value = 10_000_000", "revenue_floor = { value = 500_000_000")],
        {"revenue": 1},
        lambda q: q.monthly_premium,
        5280,
    ),
    (
        "the default liability limit",
        [("product.toml", "default = 100_000_000", "default = 30_000_000")],
        {},
        lambda q: q.risk.liability_limit,
        30_000_000,
    ),
    (
        "the expense ceiling of a liability-only quote",
        [("product.toml", "default_at_most = 30_000_000", "default_at_most = 10_000_000")],
        {"liability_limit": 500_000_000},
        lambda q: q.risk.expense_limit,
        10_000_000,
    ),
    (
        "a liability factor",
        [("product.toml", 'factor = "1.25"', 'factor = "1.30"')],
        {"liability_limit": 300_000_000},
        lambda q: q.monthly_premium,
        6860,
    ),
    (
        "the security measure per item",
        [("product.toml", 'per_item = "0.03"', 'per_item = "0.05"')],
        {"security_measures": 10},
        lambda q: q.monthly_premium,
        3520,
    ),  # 5,280 × 0.5 / 0.75
    (
        "the reference count of measures",
        [("product.toml", "reference_count = { value = 5,", "reference_count = { value = 0,")],
        {"security_measures": 5},
        lambda q: q.monthly_premium,
        4490,
    ),  # 5,280 × 0.85
    (
        "the overseas loading",
        [("product.toml", 'other_loading = "0.5"', 'other_loading = "1.0"')],
        {"overseas_share": "20"},
        lambda q: q.monthly_premium,
        6340,
    ),
    (
        "the overseas referral threshold",
        [("product.toml", 'refer_above_share = "0.5"', 'refer_above_share = "0.1"')],
        {"overseas_share": "20"},
        lambda q: q.status,
        "referred",
    ),
    (
        "the revenue referral threshold",
        [("product.toml", "revenue_above = 10_000_000_000", "revenue_above = 100_000_000")],
        {},
        lambda q: [r.code for r in q.reasons],
        ["R_REVENUE"],
    ),
    (
        "the rider loading",
        [("product.toml", 'loading = "0.03"', 'loading = "0.10"')],
        {"pd_rider": True},
        lambda q: q.monthly_premium,
        5810,
    ),
    (
        "a reason text",
        [("product.toml", "業種「{industry_ja}」は引受審査が必要です。", "業種「{industry_ja}」は審査します。")],
        {"industry": "utilities"},
        lambda q: q.reasons[0].message_ja,
        "業種「電気・ガス・熱供給・水道業」は審査します。担当者からご連絡します。",
    ),
    (
        "an industry status",
        [
            (
                "industries.csv",
                "crypto_assets,暗号資産交換業,Crypto-asset exchange,,decline",
                "crypto_assets,暗号資産交換業,Crypto-asset exchange,,refer",
            )
        ],
        {"industry": "crypto_assets"},
        lambda q: q.status,
        "referred",
    ),
    (
        "a class factor",
        [("industries.csv", "R,quote,,,1.30", "R,quote,,,1.50")],
        {"industry": "services"},
        lambda q: q.monthly_premium,
        7920,
    ),
    (
        "the start time of cover",
        [("product.toml", 'start_time = { value = "16:00"', 'start_time = { value = "00:00"')],
        {},
        lambda q: q.term_start_at.isoformat(),
        "2026-04-01T00:00:00+09:00",
    ),
    (
        "the time zone",
        [("product.toml", 'timezone = "+09:00"', 'timezone = "+08:00"')],
        {},
        lambda q: q.term_start_at.isoformat(),
        "2026-04-01T16:00:00+08:00",
    ),
    (
        "the term",
        [("product.toml", "months = { value = 12,", "months = { value = 24,")],
        {"term_months": 24},
        lambda q: q.term_end_at.date(),
        dt.date(2028, 4, 1),
    ),
    (
        "a payment method's name",
        [
            (
                "product.toml",
                "[payments.annual]",
                '[payments.quarterly]\nsource = "illustrative"\ninstallments = 4\nmonths_per_installment = 3\ndivisor = "1.01"\nminimum = 0\n\n[payments.annual]',
            )
        ],
        {"payment": "quarterly"},
        lambda q: (q.to_dict()["quarterly_premium"], q.to_dict()["installments"]),
        (15680, 4),
    ),
]


@pytest.mark.parametrize(("what", "edits", "raw", "observe", "expected"), CASES, ids=[c[0] for c in CASES])
def test_editing_a_value_changes_the_quote(
    quote_with: Callable[..., engine.Quote],
    what: str,
    edits: list[Edit],
    raw: dict[str, Any],
    observe: Callable[[engine.Quote], Any],
    expected: Any,
) -> None:
    edited = quote_with(edits, **raw)
    assert observe(edited) == expected
    try:
        shipped = usecases.quote(catalog_mod.FolderCatalog(), {**BASE, **raw})
    except InvalidInput:
        return  # the shipped data does not even allow these inputs
    assert observe(shipped) != expected, f"{what}: the shipped data already gives {expected!r}"


def test_the_allowed_options_come_from_the_data(quote_with: Callable[..., engine.Quote]) -> None:
    with pytest.raises(InvalidInput) as caught:
        quote_with(
            [("product.toml", '{ amount = 300_000, factor = "0.93" }', '{ amount = 200_000, factor = "0.93" }')],
            deductible=300_000,
        )
    assert caught.value.errors[0].params["allowed"] == [0, 100_000, 200_000, 500_000, 1_000_000]


def test_a_security_measure_item_of_the_data_can_be_declared(quote_with: Callable[..., engine.Quote]) -> None:
    q = quote_with([("security_measures.toml", 'id = "S10"', 'id = "S99"')], measures="S99")
    assert q.risk.measures == ("S99",)
