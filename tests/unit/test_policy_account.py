"""The premium account (product.md §5 "money already paid is never lost"): receipts become credit, credit
pays what is owed oldest first, a lowered or cancelled installment returns what was paid on it, a premium
returned lowers what is owed, and credit left at the end is refunded — balanced at every step."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from mamori import catalog as catalog_mod
from mamori import policy
from mamori.policy import account, administration
from mamori.policy.account import Account
from mamori.policy.errors import BackdatedEffectiveDate
from mamori.policy.schedule import InstallmentStatus

D = dt.date
START = D(2026, 4, 1)


def monthly(version: catalog_mod.ProductVersion, premium: int = 5_090) -> Account:
    plan = policy.payment_plan(version=version, payment="monthly", start_date=START, premium=premium)
    return account.open_account(plan.installments)


def annual(version: catalog_mod.ProductVersion, premium: int = 62_120) -> Account:
    plan = policy.payment_plan(version=version, payment="annual", start_date=START, premium=premium)
    return account.open_account(plan.installments)


def paid_numbers(acc: Account) -> list[int]:
    return [i.number for i in acc.installments if i.status is InstallmentStatus.PAID]


def test_a_payment_pays_the_oldest_installments_and_a_surplus_is_credit(version: catalog_mod.ProductVersion) -> None:
    acc, moves = account.receive(monthly(version), 5_090 * 2 + 1_000)
    assert paid_numbers(acc) == [1, 2]
    assert acc.installments[2].paid == 1_000 and acc.installments[2].status is InstallmentStatus.DUE
    assert acc.credit == 0 and acc.balanced()
    assert [m.kind for m in moves] == ["RECEIVED", "APPLIED", "APPLIED", "APPLIED"]
    everything, _ = account.receive(acc, 5_090 * 12)
    assert paid_numbers(everything) == list(range(1, 13))
    assert everything.credit == 5_090 * 2 + 1_000 and everything.balanced()


def test_installments_paid_in_advance_and_repriced_lower_give_credit_that_pays_the_next_one(
    version: catalog_mod.ProductVersion,
) -> None:
    # The finding: 7 installments paid at 5,090, re-priced to 4,070 from installment 4 (1 Jul): 4 × 1,020
    # of what was paid is credit, and it pays installment 8 (4,070) at once, 10 left as credit.
    acc, _ = account.receive(monthly(version), 5_090 * 7)
    after, moves = account.reprice(acc, effective_date=D(2026, 7, 1), amount=4_070)
    assert [m.amount for m in moves if m.kind == "RETURNED"] == [1_020] * 4
    assert paid_numbers(after) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert after.installments[8].paid == 4 * 1_020 - 4_070
    assert after.credit == 0 and after.balanced()
    assert after.received == 5_090 * 7 == after.applied


def test_a_raised_installment_that_was_paid_is_due_again_for_the_difference(
    version: catalog_mod.ProductVersion,
) -> None:
    acc, _ = account.receive(monthly(version, 4_070), 4_070 * 3)
    after, _ = account.reprice(acc, effective_date=D(2026, 5, 1), amount=5_090)
    assert paid_numbers(after) == [1]
    assert [(i.amount, i.paid) for i in after.installments[1:3]] == [(5_090, 4_070), (5_090, 4_070)]
    assert after.owed == 5_090 * 11 - 4_070 * 2


def test_a_monthly_cancellation_refunds_what_was_paid_on_installments_it_cancels(
    version: catalog_mod.ProductVersion,
) -> None:
    acc, _ = account.receive(monthly(version), 5_090 * 6)
    standing = administration.Standing(version=version, payment="monthly", start_date=START, premium=5_090, account=acc)
    cancelled = administration.cancel(standing, effective_date=D(2026, 7, 15))
    assert cancelled.cancellation.refund == 0  # §5: nothing is refunded of the premium …
    after = cancelled.account
    assert after.refunded == 5_090 * 2  # … but installments 5 and 6, paid in advance, are money back
    assert after.credit == 0 and after.balanced()
    assert [i.status for i in after.installments].count(InstallmentStatus.CANCELLED) == 8


def test_an_annual_cancellation_refunds_pro_rata_what_was_paid(version: catalog_mod.ProductVersion) -> None:
    acc, _ = account.receive(annual(version), 62_120)
    standing = administration.Standing(version=version, payment="annual", start_date=START, premium=62_120, account=acc)
    cancelled = administration.cancel(standing, effective_date=D(2026, 10, 1))
    assert cancelled.cancellation.months_left == 6
    assert cancelled.account.refunded == cancelled.cancellation.refund == 31_060
    assert cancelled.account.balanced()


def test_an_unpaid_annual_premium_cancelled_mid_term_is_owed_only_for_the_cover_given(
    version: catalog_mod.ProductVersion,
) -> None:
    standing = administration.Standing(
        version=version, payment="annual", start_date=START, premium=62_120, account=annual(version)
    )
    cancelled = administration.cancel(standing, effective_date=D(2026, 10, 1))
    assert cancelled.account.refunded == 0  # nothing was paid: nothing is paid back
    assert cancelled.account.owed == 62_120 - 31_060


def test_an_annual_change_charges_or_returns_and_a_return_is_refunded_once_owed_premium_is_paid(
    version: catalog_mod.ProductVersion,
) -> None:
    acc, _ = account.receive(annual(version), 62_120)
    standing = administration.Standing(version=version, payment="annual", start_date=START, premium=62_120, account=acc)
    up = administration.change(standing, effective_date=D(2026, 10, 1), new_premium=74_540)
    assert (up.charged, up.change.premium_difference) == (6_210, 6_210)
    assert up.account.owed == 6_210
    paid_up, _ = account.receive(up.account, 6_210)
    down = administration.change(
        administration.Standing(version=version, payment="annual", start_date=START, premium=74_540, account=paid_up),
        effective_date=D(2026, 11, 1),
        new_premium=62_120,
    )
    assert down.returned == 5_175 // 10 * 10
    assert down.account.refunded == down.returned and down.account.balanced()


def test_credit_left_when_a_policy_ends_is_refunded(version: catalog_mod.ProductVersion) -> None:
    acc, _ = account.receive(monthly(version), 5_090 * 12 + 777)
    standing = administration.Standing(version=version, payment="monthly", start_date=START, premium=5_090, account=acc)
    ended = administration.expire(standing, now=dt.datetime(2027, 4, 2, tzinfo=version.tz))
    assert ended is not None and ended.account.refunded == 777 and ended.account.credit == 0


def test_a_lapse_cancels_the_later_installments_and_refunds_what_was_paid_on_them(
    version: catalog_mod.ProductVersion,
) -> None:
    acc, _ = account.receive(monthly(version), 5_090 * 2)
    # A change raised installments 2 onwards after they were paid: 2 is owed 1,020 and lapses the policy.
    raised, _ = account.reprice(acc, effective_date=D(2026, 5, 1), amount=6_110)
    standing = administration.Standing(
        version=version, payment="monthly", start_date=START, premium=6_110, account=raised
    )
    lapsed = administration.lapse(standing, on_date=D(2026, 7, 1))
    assert lapsed is not None and lapsed.lapse is not None and lapsed.lapse.installment_number == 2
    assert lapsed.account.balanced() and lapsed.account.credit == 0


def test_a_change_or_cancellation_cannot_be_backdated(version: catalog_mod.ProductVersion) -> None:
    with pytest.raises(BackdatedEffectiveDate) as caught:
        administration.check_effective_date(version, START, D(2026, 6, 1), requested_on=D(2026, 6, 10))
    assert caught.value.errors[0].field == "effective_date" and caught.value.errors[0].code == "E_BACKDATED"
    administration.check_effective_date(version, START, D(2026, 6, 10), requested_on=D(2026, 6, 10))


def test_widening_cover_with_an_open_incident_is_referred_and_narrowing_is_not() -> None:
    current = administration.Terms(
        liability_limit=100_000_000, expense_limit=30_000_000, deductible=100_000, bi_limit=0, pd_rider=False
    )
    wider = administration.Terms(
        liability_limit=100_000_000, expense_limit=100_000_000, deductible=100_000, bi_limit=0, pd_rider=False
    )
    narrower = administration.Terms(
        liability_limit=100_000_000, expense_limit=10_000_000, deductible=300_000, bi_limit=0, pd_rider=False
    )
    assert administration.referral_reasons(current=current, new=wider, rating_reasons=(), open_incident=True) == (
        "R_OPEN_INCIDENT",
    )
    assert administration.referral_reasons(current=current, new=wider, rating_reasons=(), open_incident=False) == ()
    assert administration.referral_reasons(current=current, new=narrower, rating_reasons=(), open_incident=True) == ()
    for name, value in (
        ("deductible", 0),
        ("bi_limit", 10_000_000),
        ("pd_rider", True),
        ("liability_limit", 300_000_000),
    ):
        assert current.widened_by(dataclasses.replace(current, **{name: value})), name
