"""The terms of product.md §3.6 applied by the portfolio engine, read from the product's coverage data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mamori import catalog as catalog_mod
from mamori.portfolio.terms import Layout, apply_terms

D = 100_000
LIMITS = [30_000_000, 100_000_000, 10_000_000]  # expense, liability, bi


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pay(
    layout: Layout, rows: list[list[int]], hours: list[float] | None = None, *, deductible: int = D
) -> list[list[int]]:
    """The payments of one policy-year's accidents (in order) under the reference limits."""
    ground_up = np.array(rows, dtype=np.int64)
    paid = apply_terms(
        layout,
        ground_up,
        np.array(hours or [24.0] * len(rows)),
        np.array([0, len(rows)]),
        np.array([0]),
        np.array([deductible]),
        np.array([LIMITS]),
    )
    return paid.tolist()


def test_the_layout_is_read_from_the_coverage_terms(version: catalog_mod.ProductVersion) -> None:
    layout = Layout.of(version.coverage)
    assert layout.sections == ("expense", "liability", "bi")
    assert layout.limit_fields == ("expense_limit", "liability_limit", "bi_limit")
    assert layout.deductible_order == (0, 1)  # expense first, then liability; never business interruption
    assert (layout.waiting_section, layout.waiting_hours) == (2, 12.0)
    assert layout.riders == (("pd", "pd_rider"),)


def test_the_deductible_is_taken_from_expenses_first_then_liability(version: catalog_mod.ProductVersion) -> None:
    layout = Layout.of(version.coverage)
    assert pay(layout, [[60_000, 5_000_000, 0]]) == [[0, 4_960_000, 0]]
    assert pay(layout, [[500_000, 5_000_000, 0]]) == [[400_000, 5_000_000, 0]]


def test_the_deductible_is_never_taken_from_business_interruption(version: catalog_mod.ProductVersion) -> None:
    layout = Layout.of(version.coverage)
    assert pay(layout, [[0, 0, 2_000_000]]) == [[0, 0, 2_000_000]]


def test_an_outage_of_twelve_hours_pays_nothing_and_a_longer_one_pays_in_full(
    version: catalog_mod.ProductVersion,
) -> None:
    layout = Layout.of(version.coverage)
    assert pay(layout, [[0, 0, 2_000_000]], [12.0]) == [[0, 0, 0]]
    assert pay(layout, [[0, 0, 2_000_000]], [12.01]) == [[0, 0, 2_000_000]]


def test_a_later_accident_of_the_year_gets_what_is_left_of_the_annual_limits(
    version: catalog_mod.ProductVersion,
) -> None:
    layout = Layout.of(version.coverage)
    paid = pay(layout, [[25_000_000, 90_000_000, 8_000_000], [25_000_000, 90_000_000, 8_000_000]])
    assert paid == [[24_900_000, 90_000_000, 8_000_000], [5_100_000, 10_000_000, 2_000_000]]


def test_a_single_liability_claim_is_capped_at_the_limit_per_claim(version: catalog_mod.ProductVersion) -> None:
    layout = Layout.of(version.coverage)
    assert pay(layout, [[0, 250_000_000, 0]]) == [[0, 100_000_000, 0]]


def test_business_interruption_not_bought_pays_nothing(version: catalog_mod.ProductVersion) -> None:
    layout = Layout.of(version.coverage)
    paid = apply_terms(
        layout,
        np.array([[0, 0, 2_000_000]]),
        np.array([48.0]),
        np.array([0, 1]),
        np.array([0]),
        np.array([D]),
        np.array([[30_000_000, 100_000_000, 0]]),
    )
    assert paid.tolist() == [[0, 0, 0]]


def test_the_waiting_period_comes_from_the_product_data(products: Path) -> None:
    edit(
        products / "sme-cyber" / "2025-04" / "coverage.toml",
        "waiting_hours = { value = 12,",
        "waiting_hours = { value = 24,",
    )
    coverage = catalog_mod.FolderCatalog(products).get("2025-04").coverage
    layout = Layout.of(coverage)
    assert layout.waiting_hours == 24.0
    assert pay(layout, [[0, 0, 2_000_000]], [20.0]) == [[0, 0, 0]]


def test_the_deductible_order_comes_from_the_product_data(products: Path) -> None:
    edit(
        products / "sme-cyber" / "2025-04" / "coverage.toml",
        'sections = ["expense", "liability"]',
        'sections = ["liability", "expense"]',
    )
    layout = Layout.of(catalog_mod.FolderCatalog(products).get("2025-04").coverage)
    assert pay(layout, [[60_000, 5_000_000, 0]]) == [[60_000, 4_900_000, 0]]
