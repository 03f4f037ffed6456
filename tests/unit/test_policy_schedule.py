"""Installments and their due dates (product.md §5): from the start date, clipped to the month's end, never chained."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from mamori import catalog as catalog_mod
from mamori import policy
from mamori.catalog import ProductDataError
from mamori.policy import InstallmentStatus

D = dt.date


def test_a_start_on_31_january_is_due_on_29_february_in_a_leap_year_then_31_march(
    version: catalog_mod.ProductVersion,
) -> None:
    dues = policy.due_dates(version, "monthly", D(2028, 1, 31))
    assert dues[:4] == (D(2028, 1, 31), D(2028, 2, 29), D(2028, 3, 31), D(2028, 4, 30))
    assert dues[-1] == D(2028, 12, 31)


def test_a_start_on_31_january_is_due_on_28_february_in_a_common_year_and_is_not_chained(
    version: catalog_mod.ProductVersion,
) -> None:
    dues = policy.due_dates(version, "monthly", D(2027, 1, 31))
    assert dues[1] == D(2027, 2, 28)
    assert dues[2] == D(2027, 3, 31)  # from the start date: not 28 March after 28 February
    assert len(dues) == 12


def test_a_start_on_31_august_is_due_on_every_month_end_after_it(version: catalog_mod.ProductVersion) -> None:
    dues = policy.due_dates(version, "monthly", D(2025, 8, 31))
    assert dues == (
        D(2025, 8, 31), D(2025, 9, 30), D(2025, 10, 31), D(2025, 11, 30), D(2025, 12, 31), D(2026, 1, 31),
        D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31), D(2026, 6, 30), D(2026, 7, 31),
    )  # fmt: skip


def test_a_start_on_29_february_is_due_on_the_29th_and_ends_on_28_february(
    version: catalog_mod.ProductVersion,
) -> None:
    start = D(2028, 2, 29)
    dues = policy.due_dates(version, "monthly", start)
    assert dues[1] == D(2028, 3, 29)
    assert dues[-1] == D(2029, 1, 29)
    assert policy.end_date(version, start) == D(2029, 2, 28)
    assert policy.expires_at(version, start) == version.term_end_at(start)


def test_the_month_grid_is_the_monthly_due_dates_for_every_payment_method(
    version: catalog_mod.ProductVersion,
) -> None:
    start = D(2026, 5, 31)
    assert policy.month_dates(version, start) == policy.due_dates(version, "monthly", start)
    assert policy.due_dates(version, "annual", start) == (start,)


def test_monthly_payment_is_twelve_installments_of_the_monthly_premium(version: catalog_mod.ProductVersion) -> None:
    items = policy.installments(version=version, payment="monthly", start_date=D(2025, 4, 1), premium=7_920)
    assert [i.number for i in items] == list(range(1, 13))
    assert {i.amount for i in items} == {7_920}
    assert {i.status for i in items} == {InstallmentStatus.DUE}
    assert policy.total(items) == 95_040


def test_annual_payment_is_one_installment_of_the_annual_premium_due_on_the_start_date(
    version: catalog_mod.ProductVersion,
) -> None:
    (only,) = policy.installments(version=version, payment="annual", start_date=D(2025, 4, 1), premium=93_180)
    assert (only.number, only.due_date, only.amount) == (1, D(2025, 4, 1), 93_180)


def test_a_payment_plan_holds_its_installments_and_their_total(version: catalog_mod.ProductVersion) -> None:
    plan = policy.payment_plan(version=version, payment="monthly", start_date=D(2025, 4, 1), premium=5_280)
    assert plan.total == 12 * 5_280
    assert plan.installments[0].due_date == plan.start_date


def test_cancelled_installments_are_not_owed(version: catalog_mod.ProductVersion) -> None:
    plan = policy.payment_plan(version=version, payment="monthly", start_date=D(2025, 4, 1), premium=1_000)
    after = policy.cancellation(version=version, plan=plan, effective_date=D(2025, 6, 1))
    assert policy.total(after.plan.installments) == 2_000


def test_an_unknown_payment_method_is_refused_with_the_methods_offered(version: catalog_mod.ProductVersion) -> None:
    with pytest.raises(policy.UnknownPaymentMethod) as caught:
        policy.installments(version=version, payment="quarterly", start_date=D(2025, 4, 1), premium=1_000)
    entry = caught.value.to_dict("en")["errors"][0]
    assert (entry["field"], entry["code"]) == ("payment", "E_CHOICE")
    assert entry["allowed"] == ["monthly", "annual"]


@pytest.mark.parametrize("premium", [-1, 10**16, True, 1.5])
def test_a_premium_that_is_not_whole_yen_in_range_is_refused(
    version: catalog_mod.ProductVersion, premium: object
) -> None:
    with pytest.raises(policy.InvalidAmount) as caught:
        policy.installments(version=version, payment="monthly", start_date=D(2025, 4, 1), premium=premium)  # type: ignore[arg-type]
    assert caught.value.errors[0].code == "E_RANGE"


def test_a_start_date_beyond_the_calendar_is_refused_with_a_code(version: catalog_mod.ProductVersion) -> None:
    with pytest.raises(policy.InvalidDate) as caught:
        policy.due_dates(version, "monthly", D(9999, 6, 1))
    assert (caught.value.errors[0].field, caught.value.errors[0].code) == ("start_date", "E_DATE_RANGE")


def test_installments_that_do_not_cover_the_term_are_a_product_data_error(
    edited_version: Callable[..., catalog_mod.ProductVersion],
) -> None:
    broken = edited_version(("product.toml", "installments = 12 ", "installments = 10 "))
    with pytest.raises(ProductDataError) as caught:
        policy.due_dates(broken, "monthly", D(2025, 4, 1))
    assert (caught.value.file, caught.value.key) == ("product.toml", "payments.monthly")


def test_the_term_months_and_installment_counts_come_from_the_data(
    edited_version: Callable[..., catalog_mod.ProductVersion],
) -> None:
    two_years = edited_version(
        ("product.toml", "months = { value = 12,", "months = { value = 24,"),
        ("product.toml", "installments = 12 ", "installments = 24 "),
        ("product.toml", "months_per_installment = 12", "months_per_installment = 24"),
    )
    dues = policy.due_dates(two_years, "monthly", D(2028, 1, 31))
    assert len(dues) == 24
    assert dues[13] == D(2029, 2, 28)
    assert policy.end_date(two_years, D(2028, 1, 31)) == D(2030, 1, 31)
