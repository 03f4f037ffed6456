"""Who can buy (product.md §1): each rule, with codes and both languages."""

from __future__ import annotations

from typing import Any

import pytest

from mamori import catalog, usecases
from mamori.rating import engine

CATALOG = catalog.FolderCatalog()
BASE = {"industry": "wholesale", "revenue": 500_000_000, "start": "2026-04-01"}


def quote(**overrides: Any) -> engine.Quote:
    return usecases.quote(CATALOG, {**BASE, **overrides})


def codes(q: engine.Quote) -> list[str]:
    return [r.code for r in q.reasons]


def test_sole_proprietors_quote_like_corporations() -> None:
    sole = quote(entity="sole_proprietor")
    assert sole.status == "quoted"
    assert sole.monthly_premium == quote(entity="corporation").monthly_premium == 5280


def test_a_new_business_quotes_on_its_projected_revenue() -> None:
    q = quote(revenue=40_000_000, new_business=True)
    assert q.status == "quoted"
    assert q.risk.new_business is True
    assert q.to_dict()["inputs"]["new_business"] is True


@pytest.mark.parametrize("industry", ["information_communications", "finance_insurance", "utilities"])
def test_referred_industries_get_no_binding_price(industry: str) -> None:
    q = quote(industry=industry)
    assert q.status == "referred"
    assert codes(q) == ["R_INDUSTRY"]
    assert q.monthly_premium is None


@pytest.mark.parametrize("industry", ["crypto_assets", "online_gambling", "public_administration"])
def test_declined_industries_are_declined_with_a_reason(industry: str) -> None:
    q = quote(industry=industry)
    assert q.status == "declined"
    assert codes(q) == ["D_INDUSTRY"]
    assert "お引き受けできません" in q.reasons[0].message_ja
    assert "cannot be insured" in q.reasons[0].message_en


def test_public_administration_is_declined_as_not_an_sme_product() -> None:
    q = quote(industry="public_administration")
    assert "中小企業向け" in q.reasons[0].message_ja


@pytest.mark.parametrize(("revenue", "status"), [(10_000_000_000, "quoted"), (10_000_000_001, "referred")])
def test_revenue_above_ten_billion_is_referred(revenue: int, status: str) -> None:
    q = quote(revenue=revenue)
    assert q.status == status
    assert codes(q) == ([] if status == "quoted" else ["R_REVENUE"])


@pytest.mark.parametrize(("share", "status"), [("50", "quoted"), ("50.01", "referred"), ("100", "referred")])
def test_overseas_share_above_half_is_referred(share: str, status: str) -> None:
    assert quote(overseas_share=share).status == status


def test_a_liability_limit_of_one_billion_is_referred() -> None:
    q = quote(liability_limit=1_000_000_000)
    assert q.status == "referred"
    assert codes(q) == ["R_LIABILITY_LIMIT"]
    assert q.risk.expense_limit == 30_000_000


def test_a_referral_lists_every_reason_that_applies() -> None:
    q = quote(industry="utilities", revenue=20_000_000_000, overseas_share="80", liability_limit=1_000_000_000)
    assert q.status == "referred"
    assert codes(q) == ["R_INDUSTRY", "R_REVENUE", "R_OVERSEAS", "R_LIABILITY_LIMIT"]
    assert all(r.message_ja and r.message_en for r in q.reasons)


def test_a_decline_takes_precedence_over_referrals() -> None:
    q = quote(industry="crypto_assets", revenue=20_000_000_000, overseas_share="80")
    assert q.status == "declined"
    assert codes(q) == ["D_INDUSTRY"]


def test_quotes_for_past_in_force_start_dates_are_allowed() -> None:
    # Agents quote backdated renewals for comparison; applications refuse past starts (a later issue).
    assert quote(start="2025-04-01").status == "quoted"
