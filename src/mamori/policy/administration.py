"""Policy administration decisions (product.md §5): mid-term changes, cancellations, lapse and expiry, with
what each does to the premium account. Pure functions of values; the use cases
(:mod:`mamori.usecases.policies`) rate the new terms and check who may act, the web only persists.

- **No backdating**: a change or a cancellation requested on day ``r`` takes effect on ``d`` with
  ``r ≤ d < end`` (``E_BACKDATED`` before ``r``; ``E_DATE_RANGE`` outside the term).
- **Nothing changes**: a change to the terms the policy already has is refused (``E_NOTHING_CHANGES``).
- **Widening cover with an open incident** goes to an underwriter (``R_OPEN_INCIDENT``), whatever its
  rating: a limit raised, the deductible lowered, the BI option or the rider added or raised.
- **Settlement**: annual payment — the pro-rata difference is charged, or returned (then refunded once
  what is owed is paid); monthly payment — the installments from ``d`` are re-priced, and money paid on
  them beyond the new amount is credit (:mod:`mamori.policy.account`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Final

from mamori.catalog import ProductVersion
from mamori.errors import FieldError, InvalidInput
from mamori.money import Yen
from mamori.policy import account, arithmetic, lifecycle
from mamori.policy.account import Account, Move
from mamori.policy.errors import BackdatedEffectiveDate, BeforeCurrentTerms
from mamori.policy.schedule import InstallmentStatus, PaymentPlan

__all__ = [
    "CHANGEABLE",
    "R_OPEN_INCIDENT",
    "Cancelled",
    "Changed",
    "Ended",
    "Standing",
    "Terms",
    "cancel",
    "change",
    "check_effective_date",
    "check_terms_change",
    "expire",
    "lapse",
    "referral_reasons",
]

#: The reason a change goes to an underwriter when it widens cover while an incident is open.
R_OPEN_INCIDENT: Final = "R_OPEN_INCIDENT"


@dataclass(frozen=True, slots=True, kw_only=True)
class Terms:
    """The terms a mid-term change may change (product.md §5), as the API names them."""

    liability_limit: Yen
    expense_limit: Yen
    deductible: Yen
    bi_limit: Yen
    pd_rider: bool

    def widened_by(self, new: Terms) -> bool:
        """Whether ``new`` covers more than these terms anywhere (a limit raised, the deductible lowered,
        the BI option or the rider added or raised)."""
        return (
            new.liability_limit > self.liability_limit
            or new.expense_limit > self.expense_limit
            or new.deductible < self.deductible
            or new.bi_limit > self.bi_limit
            or (new.pd_rider and not self.pd_rider)
        )


#: The names of the terms a change may give.
CHANGEABLE: Final = tuple(f.name for f in fields(Terms))


def check_effective_date(
    version: ProductVersion,
    start_date: dt.date,
    effective_date: dt.date,
    *,
    requested_on: dt.date | None,
    terms_from: dt.date | None = None,
) -> None:
    """A change or a cancellation asked for on ``requested_on`` takes effect on ``d`` with requested_on ≤ d < end
    (and start ≤ d): :class:`BackdatedEffectiveDate` or :class:`~mamori.policy.EffectiveDateOutsideTerm`; and
    not before ``terms_from``, the day the current terms took effect (a change dated later than today may
    already be applied): :class:`BeforeCurrentTerms`. ``requested_on`` None: an underwriter's decision on a
    request already checked when it was made."""
    arithmetic.check_effective_date(version, start_date, effective_date)
    if requested_on is not None and effective_date < requested_on:
        raise BackdatedEffectiveDate(effective_date=effective_date, requested_on=requested_on)
    if terms_from is not None and effective_date < terms_from:
        raise BeforeCurrentTerms(effective_date=effective_date, terms_from=terms_from)


def check_terms_change(current: Terms, new: Terms) -> None:
    """:class:`InvalidInput` ``E_NOTHING_CHANGES`` when the new terms are the terms the policy has."""
    if new == current:
        raise InvalidInput([FieldError("$", "E_NOTHING_CHANGES", {"allowed": list(CHANGEABLE)})])


def referral_reasons(
    *, current: Terms, new: Terms, rating_reasons: tuple[str, ...], open_incident: bool
) -> tuple[str, ...]:
    """Why the change goes to an underwriter: the rating's reasons (a referral or a decline of the new
    terms), and :data:`R_OPEN_INCIDENT` when it widens cover while an incident is open. Empty: it applies."""
    reasons = list(rating_reasons)
    if open_incident and current.widened_by(new):
        reasons.append(R_OPEN_INCIDENT)
    return tuple(reasons)


# ------------------------------------------------------------------------------------------ decisions


@dataclass(frozen=True, slots=True, kw_only=True)
class Changed:
    """A change applied: the core's arithmetic (months left, Δ, the plan) and the account after it."""

    change: arithmetic.Change
    account: Account
    moves: tuple[Move, ...]
    charged: Yen  # an annual payment's Δ > 0 (a new charge)
    returned: Yen  # an annual payment's Δ < 0 (premium returned)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cancelled:
    cancellation: arithmetic.Cancellation
    account: Account
    moves: tuple[Move, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ended:
    """A policy that left force on its own: lapsed (``lapse`` set) or expired."""

    state: lifecycle.PolicyState
    at: dt.datetime | None
    lapse: lifecycle.Lapse | None
    account: Account
    moves: tuple[Move, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    """Where a policy stands for administration: its version, payment method, start, the installment
    premium of the method (monthly premium, or annual premium) and its account."""

    version: ProductVersion
    payment: str
    start_date: dt.date
    premium: Yen
    account: Account

    @property
    def plan(self) -> PaymentPlan:
        return PaymentPlan(
            payment=self.payment,
            start_date=self.start_date,
            premium=self.premium,
            installments=self.account.installments,
        )


def change(standing: Standing, *, effective_date: dt.date, new_premium: Yen) -> Changed:
    """Apply a change rated at ``new_premium`` (one installment of the payment method) from ``effective_date``
    (checked by the caller with :func:`check_effective_date`: it depends on when the change was asked for)."""
    version, payment, account_before = standing.version, standing.payment, standing.account
    result = arithmetic.mid_term_change(
        version=version, plan=standing.plan, effective_date=effective_date, new_premium=new_premium
    )
    moves: list[Move] = []
    charged = returned = 0
    if arithmetic.settlement(version, payment) is arithmetic.Settlement.PRO_RATA:
        if result.premium_difference > 0:
            charged = result.premium_difference
            after, moves = account.charge(account_before, due_date=effective_date, amount=charged)
        elif result.premium_difference < 0:
            returned = -result.premium_difference
            after, moves = account.return_premium(account_before, returned)
        else:
            after = account_before
    else:
        after, moves = account.reprice(account_before, effective_date=effective_date, amount=new_premium)
    return Changed(change=result, account=after, moves=tuple(moves), charged=charged, returned=returned)


def cancel(standing: Standing, *, effective_date: dt.date) -> Cancelled:
    """Cancellation effective on ``effective_date`` (checked by the caller): installments due from it are
    cancelled (what was paid on them returns); an annual payment returns ``floor10(premium × m / 12)``;
    what is owed is settled from what is returned, and the rest is refunded."""
    account_before = standing.account
    result = arithmetic.cancellation(version=standing.version, plan=standing.plan, effective_date=effective_date)
    dropped = sum(
        i.amount
        for i in account_before.installments
        if i.due_date >= effective_date and i.status is not InstallmentStatus.CANCELLED
    )
    after, moves = account.cancel_from(account_before, effective_date=effective_date)
    back = max(result.refund - dropped, 0)  # the part of the pro-rata return not already cancelled
    if back:
        after, more = account.return_premium(after, back)
        moves = [*moves, *more]
    return Cancelled(cancellation=result, account=after, moves=tuple(moves))


def lapse(standing: Standing, *, on_date: dt.date) -> Ended | None:
    """The lapse of an installment unpaid past its grace end (None when nothing is overdue on ``on_date``):
    later installments cancelled, what was paid on them returned, the credit left refunded."""
    found = lifecycle.lapse(version=standing.version, installments=standing.account.installments, on_date=on_date)
    if found is None:
        return None
    after, moves = account.cancel_from(standing.account, effective_date=found.due_date + dt.timedelta(days=1))
    return Ended(state=lifecycle.PolicyState.LAPSED, at=found.lapsed_at, lapse=found, account=after, moves=tuple(moves))


def expire(standing: Standing, *, now: dt.datetime) -> Ended | None:
    """Expiry once the end instant has passed at ``now`` (None before): the credit left is refunded."""
    if not lifecycle.has_expired(version=standing.version, start_date=standing.start_date, now=now):
        return None
    after, moves = account.close(standing.account)
    return Ended(state=lifecycle.PolicyState.EXPIRED, at=None, lapse=None, account=after, moves=tuple(moves))
