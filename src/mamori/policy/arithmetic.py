"""Months left, mid-term changes (異動) and cancellations (解約) of a policy (product.md §5).

For an effective date ``d`` (start ≤ d < end), ``m`` is the number of ``D_k ≥ d`` on the month grid of
:func:`mamori.policy.schedule.month_dates`, whatever the payment method. A method paid in one installment
(``annual``) settles a change or a cancellation pro rata: ``sign(Δ) × round(|Δ| × m / N)`` with N the
term's months and the unit and rounding of the product's ``[policy]`` data (floor10 for sme-cyber),
rounded in the one place that rounds money, :func:`mamori.money.to_yen`. A method paid by installments
(``monthly``) re-prices or cancels the installments due on or after ``d`` and nothing else.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace
from decimal import Decimal

from mamori import calendar, money
from mamori.catalog import ProductVersion
from mamori.money import Yen
from mamori.policy import schedule
from mamori.policy.errors import EffectiveDateOutsideTerm
from mamori.policy.schedule import Installment, InstallmentStatus, PaymentPlan

__all__ = [
    "Cancellation",
    "Change",
    "Settlement",
    "cancel_installments",
    "cancellation",
    "check_effective_date",
    "cover_ends_at",
    "mid_term_change",
    "months_left",
    "pro_rata",
    "reprice_installments",
    "settlement",
]


class Settlement(enum.StrEnum):
    """How a change or a cancellation is settled, from the shape of the payment method."""

    PRO_RATA = "PRO_RATA"  # one installment for the whole term (annual): charge or refund m/N of it
    INSTALLMENTS = "INSTALLMENTS"  # several installments (monthly): the installments due from d change


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """A mid-term change effective on ``effective_date``.

    ``premium_difference`` is charged (> 0) or refunded (< 0) now; it is 0 for a plan paid by
    installments, whose installments due on or after the effective date carry the new premium instead.
    """

    effective_date: dt.date
    months_left: int
    premium_difference: Yen
    plan: PaymentPlan  # after the change


@dataclass(frozen=True, slots=True, kw_only=True)
class Cancellation:
    """A cancellation by the policyholder effective on ``effective_date``: cover ends at ``cover_ends_at``."""

    effective_date: dt.date
    months_left: int
    refund: Yen
    cover_ends_at: dt.datetime
    plan: PaymentPlan  # after the cancellation (installments due from the effective date cancelled)


def check_effective_date(version: ProductVersion, start_date: dt.date, effective_date: dt.date) -> None:
    """:class:`EffectiveDateOutsideTerm` unless start ≤ ``effective_date`` < end."""
    end = schedule.end_date(version, start_date)
    if not start_date <= effective_date < end:
        raise EffectiveDateOutsideTerm(effective_date=effective_date, start_date=start_date, end_date=end)


def months_left(*, version: ProductVersion, start_date: dt.date, effective_date: dt.date) -> int:
    """``m = #{k : D_k ≥ d}``: N on the start date, N − 1 one day later and on ``D_2``, 0 after ``D_N``."""
    check_effective_date(version, start_date, effective_date)
    return sum(1 for due in schedule.month_dates(version, start_date) if due >= effective_date)


def pro_rata(*, version: ProductVersion, amount: Yen, months: int) -> Yen:
    """``sign(amount) × round(|amount| × months / N)`` with the product's refund unit and rounding."""
    rules = version.policy
    magnitude = money.CONTEXT.divide(Decimal(abs(amount) * months), Decimal(version.term.months))
    rounded = money.to_yen(magnitude, unit=rules.refund_unit, mode=rules.refund_rounding)
    return -rounded if amount < 0 else rounded


def settlement(version: ProductVersion, payment: str) -> Settlement:
    """PRO_RATA for a method paid in one installment, INSTALLMENTS otherwise."""
    method = schedule.payment_method(version, payment)
    return Settlement.PRO_RATA if method.installments == 1 else Settlement.INSTALLMENTS


def cover_ends_at(version: ProductVersion, effective_date: dt.date) -> dt.datetime:
    """Cover ends at the start time on the effective date (the start instant itself when d is the start date)."""
    return calendar.at_time(effective_date, version.term.start_time, version.tz)


def reprice_installments(
    items: tuple[Installment, ...], *, effective_date: dt.date, premium: Yen
) -> tuple[Installment, ...]:
    """Every installment due on or after ``effective_date`` (and not cancelled) becomes ``premium``."""
    return tuple(
        replace(i, amount=premium)
        if i.due_date >= effective_date and i.status is not InstallmentStatus.CANCELLED
        else i
        for i in items
    )


def cancel_installments(items: tuple[Installment, ...], *, effective_date: dt.date) -> tuple[Installment, ...]:
    """Every installment due on or after ``effective_date`` is cancelled; what was paid on one returns to the
    policy's credit (:func:`mamori.policy.account.cancel_from` moves the money)."""
    return tuple(replace(i, status=InstallmentStatus.CANCELLED) if i.due_date >= effective_date else i for i in items)


def mid_term_change(*, version: ProductVersion, plan: PaymentPlan, effective_date: dt.date, new_premium: Yen) -> Change:
    """A change to terms rated at ``new_premium`` (one installment of the plan's method) from ``effective_date``."""
    new = schedule.check_yen("new_premium", new_premium)
    current = schedule.check_yen("premium", plan.premium)
    m = months_left(version=version, start_date=plan.start_date, effective_date=effective_date)
    if settlement(version, plan.payment) is Settlement.PRO_RATA:
        difference = pro_rata(version=version, amount=new - current, months=m)
        after = replace(plan, premium=new)
    else:
        difference = 0
        items = reprice_installments(plan.installments, effective_date=effective_date, premium=new)
        after = replace(plan, premium=new, installments=items)
    return Change(effective_date=effective_date, months_left=m, premium_difference=difference, plan=after)


def cancellation(*, version: ProductVersion, plan: PaymentPlan, effective_date: dt.date) -> Cancellation:
    """Cancellation effective on ``effective_date``: a pro-rata refund, or the remaining installments cancelled."""
    premium = schedule.check_yen("premium", plan.premium)
    m = months_left(version=version, start_date=plan.start_date, effective_date=effective_date)
    if settlement(version, plan.payment) is Settlement.PRO_RATA:
        refund = pro_rata(version=version, amount=premium, months=m)
        after = plan
    else:
        refund = 0
        after = replace(plan, installments=cancel_installments(plan.installments, effective_date=effective_date))
    return Cancellation(
        effective_date=effective_date,
        months_left=m,
        refund=refund,
        cover_ends_at=cover_ends_at(version, effective_date),
        plan=after,
    )
