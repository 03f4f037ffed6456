"""Installments and their due dates (product.md §5 "Installments").

Installment *k* of a method paying every ``months_per_installment`` months is due on the start date plus
``(k − 1) × months_per_installment`` months, counted from the START date and clipped to the month's last
day (31 Jan → 28/29 Feb → 31 Mar: never chained from the previous due date). The month grid ``D_k``
(k = 1 … term months) used for months left is the same rule with one month per step. Every number
(term months, installment counts, months per installment) comes from the product version.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from mamori import calendar, money
from mamori.catalog import ProductDataError, ProductVersion
from mamori.catalog.model import PaymentMethod
from mamori.money import Yen
from mamori.policy.errors import InvalidAmount, InvalidDate, UnknownPaymentMethod

__all__ = [
    "Installment",
    "InstallmentStatus",
    "PaymentPlan",
    "check_yen",
    "due_dates",
    "end_date",
    "installments",
    "month_dates",
    "payment_method",
    "payment_plan",
    "total",
]


class InstallmentStatus(enum.StrEnum):
    """Stored choices; the API shows them in lower case (``due``, ``paid``, ``cancelled``)."""

    DUE = "DUE"
    PAID = "PAID"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True, kw_only=True)
class Installment:
    """Installment ``number`` (1-based) of ``amount`` yen, due on ``due_date``; ``paid`` of it received.

    Its status follows from the amounts (:mod:`mamori.policy.account` is the one place that sets it):
    paid when ``paid >= amount``, due otherwise, unless cancelled.
    """

    number: int
    due_date: dt.date
    amount: Yen
    status: InstallmentStatus = InstallmentStatus.DUE
    paid: Yen = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentPlan:
    """How one policy is paid: the method, its start, the premium of one installment and the installments.

    ``premium`` is the amount of one installment of ``payment`` as rated: the monthly premium for
    ``monthly``, the annual premium for ``annual``.
    """

    payment: str
    start_date: dt.date
    premium: Yen
    installments: tuple[Installment, ...]

    @property
    def total(self) -> Yen:
        return total(self.installments)


def check_yen(field: str, value: object) -> Yen:
    """``value`` as yen: a whole number from 0 to MAX_YEN, else :class:`InvalidAmount` naming ``field``."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= money.MAX_YEN:
        raise InvalidAmount(field=field, value=value)
    return value


def _check_start(start_date: dt.date) -> None:
    if not calendar.EARLIEST_DATE <= start_date <= calendar.LATEST_DATE:
        raise InvalidDate(
            field="start_date", value=start_date, minimum=calendar.EARLIEST_DATE, maximum=calendar.LATEST_DATE
        )


def end_date(version: ProductVersion, start_date: dt.date) -> dt.date:
    """The date of the end instant (:meth:`~mamori.catalog.ProductVersion.term_end_date`), for a start date
    the calendar accepts."""
    _check_start(start_date)
    return version.term_end_date(start_date)


def month_dates(version: ProductVersion, start_date: dt.date) -> tuple[dt.date, ...]:
    """``D_1 … D_N`` (N = the term's months): ``D_k`` = start + (k − 1) months, from the start date."""
    _check_start(start_date)
    return tuple(calendar.add_months(start_date, k) for k in range(version.term.months))


def payment_method(version: ProductVersion, payment: str) -> PaymentMethod:
    """The version's payment method ``payment``; its installments must cover the term exactly."""
    method = version.rating.payments.get(payment)
    if method is None:
        raise UnknownPaymentMethod(value=payment, allowed=version.rating.payments)
    if method.installments * method.months_per_installment != version.term.months:
        raise ProductDataError(
            "product.toml",
            f"payments.{payment}",
            "P_INSTALLMENTS_TERM",
            {"installments": method.installments, "months": method.months_per_installment, "term": version.term.months},
        )
    return method


def due_dates(version: ProductVersion, payment: str, start_date: dt.date) -> tuple[dt.date, ...]:
    """The due date of each installment of ``payment`` (the first is the start date)."""
    method = payment_method(version, payment)
    _check_start(start_date)
    step = method.months_per_installment
    return tuple(calendar.add_months(start_date, k * step) for k in range(method.installments))


def installments(
    *, version: ProductVersion, payment: str, start_date: dt.date, premium: Yen
) -> tuple[Installment, ...]:
    """The installments of ``payment``: each of ``premium`` yen (monthly: 12 × monthly; annual: 1 × annual)."""
    amount = check_yen("premium", premium)
    return tuple(
        Installment(number=k, due_date=due, amount=amount)
        for k, due in enumerate(due_dates(version, payment, start_date), start=1)
    )


def payment_plan(*, version: ProductVersion, payment: str, start_date: dt.date, premium: Yen) -> PaymentPlan:
    """A new policy's payment plan: every installment due."""
    schedule = installments(version=version, payment=payment, start_date=start_date, premium=premium)
    return PaymentPlan(payment=payment, start_date=start_date, premium=premium, installments=schedule)


def total(items: Iterable[Installment]) -> Yen:
    """What the installments add up to, cancelled ones left out (they are no longer owed)."""
    return sum(i.amount for i in items if i.status is not InstallmentStatus.CANCELLED)
