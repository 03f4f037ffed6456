"""Months left, mid-term changes and cancellations (product.md §5), with the worked numbers written out."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori import catalog as catalog_mod
from mamori import policy
from mamori.errors import InvalidInput
from mamori.policy import InstallmentStatus, PaymentPlan

D = dt.date
JST = dt.timezone(dt.timedelta(hours=9))
START = D(2025, 4, 1)


def plan_of(version: catalog_mod.ProductVersion, payment: str, premium: int, start: dt.date = START) -> PaymentPlan:
    return policy.payment_plan(version=version, payment=payment, start_date=start, premium=premium)


def months(version: catalog_mod.ProductVersion, start: dt.date, d: dt.date) -> int:
    return policy.months_left(version=version, start_date=start, effective_date=d)


# ------------------------------------------------------------------------------------- months left


@pytest.mark.parametrize(
    ("effective", "expected"),
    [
        (D(2025, 4, 1), 12),  # the start date
        (D(2025, 4, 2), 11),  # one day later
        (D(2025, 5, 1), 11),  # on D_2
        (D(2025, 5, 2), 10),
        (D(2026, 3, 1), 1),  # on D_12
        (D(2026, 3, 2), 0),  # after the last due date
        (D(2026, 3, 31), 0),  # the last day before the end date
    ],
)
def test_months_left_counts_the_due_dates_on_or_after_the_effective_date(
    version: catalog_mod.ProductVersion, effective: dt.date, expected: int
) -> None:
    assert months(version, START, effective) == expected


def test_months_left_after_a_31_january_start_uses_29_february(version: catalog_mod.ProductVersion) -> None:
    start = D(2028, 1, 31)
    assert months(version, start, D(2028, 2, 29)) == 11
    assert months(version, start, D(2028, 3, 1)) == 10
    assert months(version, start, D(2028, 3, 31)) == 10


def test_months_left_after_a_29_february_start_ends_on_28_february(version: catalog_mod.ProductVersion) -> None:
    start = D(2028, 2, 29)
    assert months(version, start, D(2029, 1, 29)) == 1
    assert months(version, start, D(2029, 2, 27)) == 0
    with pytest.raises(policy.EffectiveDateOutsideTerm):
        months(version, start, D(2029, 2, 28))


@pytest.mark.parametrize("effective", [D(2025, 3, 31), D(2026, 4, 1), D(2030, 1, 1)])
def test_an_effective_date_outside_the_term_is_a_named_error_with_a_code(
    version: catalog_mod.ProductVersion, effective: dt.date
) -> None:
    with pytest.raises(policy.EffectiveDateOutsideTerm) as caught:
        months(version, START, effective)
    err = caught.value
    assert type(err) is not ValueError
    assert isinstance(err, InvalidInput)
    assert (err.errors[0].field, err.errors[0].code) == ("effective_date", "E_DATE_RANGE")
    assert err.errors[0].params["maximum"] == D(2026, 3, 31)
    assert "2026-03-31" in err.to_dict("en")["errors"][0]["message"]


# ------------------------------------------------------------------------------------- mid-term change


def test_an_annual_change_charges_floor10_of_the_difference_times_months_left_over_twelve(
    version: catalog_mod.ProductVersion,
) -> None:
    plan = plan_of(version, "annual", 100_000)
    # d = 2025-08-15: D_6 … D_12 (1 Sep … 1 Mar) are left, m = 7; 12,345 × 7 / 12 = 7,201.25 → 7,200
    change = policy.mid_term_change(version=version, plan=plan, effective_date=D(2025, 8, 15), new_premium=112_345)
    assert change.months_left == 7
    assert change.premium_difference == 7_200
    assert change.plan.premium == 112_345
    assert change.plan.installments == plan.installments


def test_an_annual_reduction_is_refunded_rounded_toward_zero(version: catalog_mod.ProductVersion) -> None:
    plan = plan_of(version, "annual", 112_345)
    # on D_8 (2025-11-01) m = 5: 12,345 × 5 / 12 = 5,143.75 → refund 5,140 (not 5,150)
    on_d8 = policy.mid_term_change(version=version, plan=plan, effective_date=D(2025, 11, 1), new_premium=100_000)
    assert (on_d8.months_left, on_d8.premium_difference) == (5, -5_140)
    # one day later m = 4: 12,345 × 4 / 12 = 4,115 → refund 4,110
    change = policy.mid_term_change(version=version, plan=plan, effective_date=D(2025, 11, 2), new_premium=100_000)
    assert (change.months_left, change.premium_difference) == (4, -4_110)


def test_an_annual_change_on_the_start_date_charges_the_whole_difference_rounded_down(
    version: catalog_mod.ProductVersion,
) -> None:
    change = policy.mid_term_change(
        version=version, plan=plan_of(version, "annual", 93_180), effective_date=START, new_premium=100_005
    )
    assert change.premium_difference == 6_820  # 6,825 → 6,820


def test_an_unchanged_premium_charges_nothing(version: catalog_mod.ProductVersion) -> None:
    change = policy.mid_term_change(
        version=version, plan=plan_of(version, "annual", 93_180), effective_date=D(2025, 9, 9), new_premium=93_180
    )
    assert change.premium_difference == 0


def test_a_monthly_change_reprices_the_installments_due_from_the_effective_date_only(
    version: catalog_mod.ProductVersion,
) -> None:
    plan = plan_of(version, "monthly", 7_920)
    change = policy.mid_term_change(version=version, plan=plan, effective_date=D(2025, 6, 15), new_premium=9_000)
    assert change.premium_difference == 0
    assert [i.amount for i in change.plan.installments] == [7_920] * 3 + [9_000] * 9
    assert change.plan.premium == 9_000
    on_due = policy.mid_term_change(version=version, plan=plan, effective_date=D(2025, 7, 1), new_premium=9_000)
    assert [i.amount for i in on_due.plan.installments] == [7_920] * 3 + [9_000] * 9


def test_a_monthly_change_on_the_start_date_reprices_every_installment(version: catalog_mod.ProductVersion) -> None:
    plan = plan_of(version, "monthly", 7_920)
    change = policy.mid_term_change(version=version, plan=plan, effective_date=START, new_premium=6_000)
    assert policy.total(change.plan.installments) == 72_000


def test_a_change_outside_the_term_changes_nothing_and_raises(version: catalog_mod.ProductVersion) -> None:
    plan = plan_of(version, "monthly", 7_920)
    with pytest.raises(policy.EffectiveDateOutsideTerm):
        policy.mid_term_change(version=version, plan=plan, effective_date=D(2026, 4, 1), new_premium=9_000)
    assert {i.amount for i in plan.installments} == {7_920}


def test_a_negative_new_premium_is_refused(version: catalog_mod.ProductVersion) -> None:
    with pytest.raises(policy.InvalidAmount) as caught:
        policy.mid_term_change(
            version=version, plan=plan_of(version, "annual", 1_000), effective_date=START, new_premium=-5
        )
    assert caught.value.errors[0].field == "new_premium"


# ---------------------------------------------------------------------------------------- cancellation


def test_an_annual_cancellation_refunds_floor10_of_the_premium_for_the_months_left(
    version: catalog_mod.ProductVersion,
) -> None:
    plan = plan_of(version, "annual", 93_180)  # 7,920 × 12 / 1.02, rounded to 10 yen
    cancelled = policy.cancellation(version=version, plan=plan, effective_date=D(2025, 6, 15))
    assert cancelled.months_left == 9  # 1 Jul … 1 Mar
    assert cancelled.refund == 69_880  # 93,180 × 9 / 12 = 69,885 → 69,880
    assert cancelled.cover_ends_at == dt.datetime(2025, 6, 15, 16, 0, tzinfo=JST)


def test_an_annual_cancellation_on_the_start_date_refunds_everything_and_ends_cover_at_the_start(
    version: catalog_mod.ProductVersion,
) -> None:
    cancelled = policy.cancellation(version=version, plan=plan_of(version, "annual", 93_185), effective_date=START)
    assert cancelled.refund == 93_180
    assert cancelled.cover_ends_at == version.term_start_at(START)


def test_an_annual_cancellation_after_the_last_due_date_refunds_nothing(version: catalog_mod.ProductVersion) -> None:
    plan = plan_of(version, "annual", 93_180)
    assert policy.cancellation(version=version, plan=plan, effective_date=D(2026, 3, 1)).refund == 7_760
    assert policy.cancellation(version=version, plan=plan, effective_date=D(2026, 3, 2)).refund == 0


def test_a_monthly_cancellation_cancels_the_installments_due_from_the_date_and_refunds_nothing(
    version: catalog_mod.ProductVersion,
) -> None:
    plan = plan_of(version, "monthly", 7_920)
    paid = tuple(
        policy.Installment(number=i.number, due_date=i.due_date, amount=i.amount, status=InstallmentStatus.PAID)
        if i.number <= 3
        else i
        for i in plan.installments
    )
    cancelled = policy.cancellation(
        version=version,
        plan=PaymentPlan(payment="monthly", start_date=START, premium=7_920, installments=paid),
        effective_date=D(2025, 6, 1),
    )
    assert cancelled.refund == 0
    assert cancelled.months_left == 10
    # Installment 3 is due on the effective date: cancelled too, though paid (the account returns the money).
    assert [i.status for i in cancelled.plan.installments] == [InstallmentStatus.PAID] * 2 + [
        InstallmentStatus.CANCELLED
    ] * 10
    assert cancelled.cover_ends_at == dt.datetime(2025, 6, 1, 16, 0, tzinfo=JST)


def test_a_cancellation_outside_the_term_is_refused(version: catalog_mod.ProductVersion) -> None:
    with pytest.raises(policy.EffectiveDateOutsideTerm):
        policy.cancellation(version=version, plan=plan_of(version, "annual", 93_180), effective_date=D(2025, 3, 31))


def test_the_settlement_follows_the_shape_of_the_payment_method(version: catalog_mod.ProductVersion) -> None:
    assert policy.arithmetic.settlement(version, "annual") is policy.Settlement.PRO_RATA
    assert policy.arithmetic.settlement(version, "monthly") is policy.Settlement.INSTALLMENTS
