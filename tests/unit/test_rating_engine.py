"""Each rating factor and rule of product.md §2.2–2.5, one table row at a time."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from mamori import catalog, money, usecases
from mamori.rating import engine, formula, vectorised
from mamori.rating.columns import read_columns

CATALOG = catalog.FolderCatalog()
START = "2026-04-01"
WHOLESALE_5 = {"industry": "wholesale", "revenue": 500_000_000, "start": START}  # 5,280 yen reference


def quote(**overrides: Any) -> engine.Quote:
    return usecases.quote(CATALOG, {**WHOLESALE_5, **overrides})


def used(q: engine.Quote, key: str) -> Decimal:
    """A multiplier of the premium, or a detail of how it was found."""
    return q.multipliers[key] if key in q.multipliers else q.details[key]


def half_up_10(x: float) -> int:
    return math.floor(x / 10 + 0.5) * 10


@pytest.mark.parametrize(
    ("overrides", "factor_key", "factor", "monthly"),
    [
        ({"liability_limit": 10_000_000}, "liability_limit", "0.60", half_up_10(5280 * 0.60 * 0.90)),
        ({"liability_limit": 30_000_000}, "liability_limit", "0.75", half_up_10(5280 * 0.75)),
        ({"liability_limit": 50_000_000}, "liability_limit", "0.85", half_up_10(5280 * 0.85)),
        ({"liability_limit": 300_000_000}, "liability_limit", "1.25", 6600),
        ({"liability_limit": 500_000_000}, "liability_limit", "1.45", half_up_10(5280 * 1.45)),
        ({"expense_limit": 3_000_000}, "expense_limit", "0.80", half_up_10(5280 * 0.80)),
        ({"expense_limit": 10_000_000}, "expense_limit", "0.90", half_up_10(5280 * 0.90)),
        ({"expense_limit": 50_000_000}, "expense_limit", "1.10", half_up_10(5280 * 1.10)),
        ({"expense_limit": 100_000_000}, "expense_limit", "1.20", half_up_10(5280 * 1.20)),
        ({"deductible": 0}, "deductible", "1.10", 5810),
        ({"deductible": 300_000}, "deductible", "0.93", half_up_10(5280 * 0.93)),
        ({"deductible": 500_000}, "deductible", "0.88", half_up_10(5280 * 0.88)),
        ({"deductible": 1_000_000}, "deductible", "0.80", half_up_10(5280 * 0.80)),
        ({"bi_limit": 10_000_000}, "bi_loading", "0.15", half_up_10(5280 * 1.15)),
        ({"bi_limit": 30_000_000}, "bi_loading", "0.25", half_up_10(5280 * 1.25)),
        ({"bi_limit": 50_000_000}, "bi_loading", "0.32", half_up_10(5280 * 1.32)),
        ({"pd_rider": True}, "pd_loading", "0.03", 5440),
    ],
)
def test_each_option_applies_its_table_factor(
    overrides: dict[str, Any], factor_key: str, factor: str, monthly: int
) -> None:
    q = quote(**overrides)
    assert used(q, factor_key) == Decimal(factor)
    assert q.monthly_premium == monthly


def test_only_a_liability_limit_defaults_the_expense_limit_to_the_largest_option_not_above_it() -> None:
    assert quote(liability_limit=10_000_000).risk.expense_limit == 10_000_000
    assert quote(liability_limit=30_000_000).risk.expense_limit == 30_000_000
    assert quote(liability_limit=500_000_000).risk.expense_limit == 30_000_000  # at most 30,000,000
    assert quote().risk.expense_limit == 30_000_000


def test_the_bi_option_and_the_rider_add_their_loadings() -> None:
    q = quote(bi_limit=50_000_000, pd_rider=True)
    assert used(q, "options") == Decimal("1.35")
    assert q.monthly_premium == half_up_10(5280 * 1.35)


@pytest.mark.parametrize(
    ("k", "factor"),
    [(0, "1 / 0.85"), (5, "1"), (10, "0.70 / 0.85")],
)
def test_security_measures_factor_is_one_minus_three_percent_per_item_over_the_reference(k: int, factor: str) -> None:
    numerator, _, denominator = factor.partition(" / ")
    with money.decimal_context():
        exact = Decimal(numerator) / Decimal(denominator or "1")
    q = quote(security_measures=k)
    assert used(q, "security_measures") == exact
    assert q.monthly_premium == half_up_10(5280 * float(exact))


def test_declared_items_count_like_the_same_number_of_measures() -> None:
    by_items = quote(measures=["S01", "S04", "S07"])
    assert by_items.risk.measures_declared == 3
    assert by_items.monthly_premium == quote(security_measures=3).monthly_premium


@pytest.mark.parametrize(
    ("overseas", "north_america", "factor"),
    [("0", "0", "1"), ("20", "0", "1.1"), ("20", "20", "1.2"), ("40", "10", "1.25"), ("50", "50", "1.5")],
)
def test_overseas_revenue_loads_half_for_other_countries_and_fully_for_north_america(
    overseas: str, north_america: str, factor: str
) -> None:
    q = quote(overseas_share=overseas, north_america_share=north_america)
    assert q.status == "quoted"
    assert used(q, "overseas") == Decimal(factor)
    assert q.monthly_premium == half_up_10(5280 * float(factor))


@pytest.mark.parametrize("revenue", [1, 9_999_999, 10_000_000])
def test_revenues_below_ten_million_are_rated_as_ten_million(revenue: int) -> None:
    q = quote(industry="logistics", revenue=revenue)
    b = math.log(27250 / 14080) / math.log(6)
    assert used(q, "revenue_rated") == 10_000_000
    assert q.monthly_premium == half_up_10(14080 * (10_000_000 / 500_000_000) ** b)


@pytest.mark.parametrize("revenue", [123_456_789, 1_000_000_000, 7_777_777_777])
def test_the_reference_premium_follows_the_power_curve_through_both_anchors(revenue: int) -> None:
    b = math.log(16090 / 7920) / math.log(6)
    expected = 7920 * (revenue / 500_000_000) ** b
    q = quote(industry="retail", revenue=revenue)
    assert float(used(q, "base")) == pytest.approx(expected, rel=1e-12)
    assert q.monthly_premium == half_up_10(expected)


@pytest.mark.parametrize(
    ("industry", "f"), [("services", "1.30"), ("medical_welfare", "2.20"), ("agriculture", "0.90")]
)
def test_classes_without_anchors_scale_the_wholesale_curve(industry: str, f: str) -> None:
    for revenue in (500_000_000, 1_234_567_890):
        q = quote(industry=industry, revenue=revenue)
        ws = quote(industry="wholesale", revenue=revenue)
        with money.decimal_context():
            assert used(q, "base") == Decimal(f) * used(ws, "base")


def test_an_exact_half_rounds_up() -> None:
    # 21,460 × 0.75 = 16,095 exactly: the half goes up to 16,100.
    q = quote(industry="food_service", revenue=3_000_000_000, liability_limit=30_000_000)
    assert q.premium is not None
    assert q.premium.unrounded["monthly"] == Decimal("16095")
    assert q.monthly_premium == 16100


def test_an_exact_half_after_an_odd_tens_digit_rounds_up_too() -> None:
    # 27,250 × 0.60 × 0.90 = 14,715 exactly: half-up gives 14,720 (banker's rounding would too).
    q = quote(industry="logistics", revenue=3_000_000_000, liability_limit=10_000_000)
    assert q.premium is not None
    assert q.premium.unrounded["monthly"] == Decimal("14715")
    assert q.monthly_premium == 14720


RETAIL_7425 = {"industry": "retail", "revenue": 500_000_000, "liability_limit": 30_000_000, "bi_limit": 30_000_000}


def test_an_exact_half_after_an_even_tens_digit_rounds_up_where_bankers_rounding_would_not() -> None:
    # 7,920 × 0.75 × 1.25 = 7,425 exactly: half-up gives 7,430; banker's rounding would give 7,420.
    q = quote(**RETAIL_7425)
    assert q.premium is not None
    assert q.premium.unrounded["monthly"] == Decimal("7425")
    assert q.monthly_premium == 7430


def test_the_vectorised_path_rounds_the_even_tens_half_up_as_well() -> None:
    table = pa.table({k: [v] for k, v in {**RETAIL_7425, "start": START}.items()})
    (group,) = read_columns(table, catalog=CATALOG, today=dt.date(2026, 4, 1))
    result = vectorised.rate_columns(group)
    assert int(result.premiums["monthly"][0]) == 7430
    assert result.exact_rows == 1  # an exact half is decided by the exact engine


def test_minimum_premiums_apply_to_tiny_risks() -> None:
    q = quote(industry="agriculture", revenue=1, liability_limit=10_000_000, deductible=1_000_000, security_measures=10)
    assert q.monthly_premium == 1500
    assert q.annual_premium == 17650


def test_the_annual_payment_is_twelve_months_less_the_installment_loading() -> None:
    q = quote(industry="retail", revenue=987_654_321, security_measures=7)
    assert q.premium is not None
    with money.decimal_context():
        assert abs(q.premium.unrounded["annual"] - q.premium.unrounded["monthly"] * 12 / Decimal("1.02")) < Decimal(
            "1e-30"
        )
    assert q.annual_premium == half_up_10(float(q.premium.unrounded["monthly"]) * 12 / 1.02)


def test_the_multipliers_multiply_to_the_premium_before_rounding() -> None:
    q = quote(industry="education", revenue=777_777_777, liability_limit=300_000_000, expense_limit=50_000_000,
              deductible=300_000, security_measures=8, overseas_share="30", north_america_share="10",
              bi_limit=10_000_000, pd_rider=True)  # fmt: skip
    assert list(q.multipliers) == list(formula.MULTIPLIERS)
    assert q.premium is not None
    with money.decimal_context():
        product = math.prod(q.multipliers.values(), start=Decimal(1))
    assert abs(product - q.premium.unrounded["monthly"]) < Decimal("1e-30")
    assert set(q.details) == {"industry_class", "revenue_exponent", "revenue_rated", "measures_declared",
                              "bi_loading", "pd_loading"}  # fmt: skip


def test_a_quote_records_product_version_hash_inputs_and_factors() -> None:
    doc = quote().to_dict("ja")
    assert doc["product"] == "sme-cyber"
    assert doc["product_version"] == "2025-04"
    assert len(doc["product_hash"]) == 64
    assert doc["inputs"]["industry"] == "wholesale"
    assert doc["factors"]["base"] == 5280.0
    assert doc["factors_exact"]["liability_limit"] == "1.00"
    assert doc["term"] == {"start_at": "2026-04-01T16:00:00+09:00", "end_at": "2027-04-01T16:00:00+09:00"}
    assert doc["currency"] == "JPY"
    assert doc["installments"] == 12
    assert doc["rounding"] == {"unit": 10, "mode": "HALF_UP"}
    assert doc["rating_details"]["revenue_rated"] == "500000000"


def test_a_referred_or_declined_quote_has_no_premium() -> None:
    for industry in ("utilities", "crypto_assets"):
        doc = quote(industry=industry).to_dict("en")
        assert doc["monthly_premium"] is None
        assert doc["annual_premium"] is None
        assert doc["reasons"]
