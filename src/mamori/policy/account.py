"""A policy's premium account (product.md §5 "money already paid is never lost"): what is owed, what was
received, credit and refunds — pure functions over values, one place for every money move of billing.

What the policyholder owes is a list of items: the installments of the payment plan and the charges of
mid-term changes (annual payment, Δ > 0). Money received becomes **credit**, and credit pays the items
still owed, oldest due date first (installments before charges on the same day), at once. When a change
lowers what an item owes below what was paid on it, the excess returns to credit the same way; when an
item is cancelled (a cancellation, a lapse), what was paid on it returns to credit. A premium returned
pro rata (annual payment: a change with Δ < 0, a cancellation) lowers what the items owe, latest first.
Credit left when the policy ends (cancellation, lapse, expiry), or after a premium returned on an annual
payment, is refunded.

At every moment: ``received == applied + credit + refunded`` (:meth:`Account.balanced`), where ``applied``
is what the items were paid. Every function returns a new :class:`Account` (values; nothing is changed
in place) and the :class:`Move` records of what happened, for the audit trail.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

from mamori.money import Yen
from mamori.policy.schedule import Installment, InstallmentStatus, check_yen

__all__ = [
    "Account",
    "Charge",
    "Move",
    "MoveKind",
    "cancel_from",
    "charge",
    "close",
    "open_account",
    "receive",
    "reprice",
    "return_premium",
    "settle",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Charge:
    """An additional premium charged by a change of an annual payment (``key``: its id once stored, else 0)."""

    key: int
    due_date: dt.date
    amount: Yen
    paid: Yen = 0

    @property
    def owed(self) -> Yen:
        return max(self.amount - self.paid, 0)


class MoveKind(enum.StrEnum):
    RECEIVED = "RECEIVED"  # a payment received: credit
    APPLIED = "APPLIED"  # credit paid an item
    RETURNED = "RETURNED"  # paid on an item beyond what it now owes (or on a cancelled item): back to credit
    REFUNDED = "REFUNDED"  # credit paid back to the policyholder


@dataclass(frozen=True, slots=True)
class Move:
    kind: MoveKind
    amount: Yen
    item: str = ""  # "installment 3", "charge 7", or "" for the account itself


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    installments: tuple[Installment, ...]
    charges: tuple[Charge, ...] = ()
    credit: Yen = 0
    received: Yen = 0
    refunded: Yen = 0

    @property
    def applied(self) -> Yen:
        return sum(i.paid for i in self.installments) + sum(c.paid for c in self.charges)

    @property
    def owed(self) -> Yen:
        """What the items still owe (cancelled installments owe nothing)."""
        return sum(_owed(i) for i in self.installments) + sum(c.owed for c in self.charges)

    def balanced(self) -> bool:
        return self.received == self.applied + self.credit + self.refunded


def _owed(item: Installment) -> Yen:
    return 0 if item.status is InstallmentStatus.CANCELLED else max(item.amount - item.paid, 0)


def _status(item: Installment) -> Installment:
    """The one place an installment's status follows from its amounts (a cancelled one stays cancelled)."""
    if item.status is InstallmentStatus.CANCELLED:
        return item
    status = InstallmentStatus.PAID if item.paid >= item.amount else InstallmentStatus.DUE
    return item if item.status is status else replace(item, status=status)


def open_account(installments: Iterable[Installment]) -> Account:
    """A new policy's account: every installment owed, nothing received."""
    return Account(installments=tuple(_status(i) for i in installments))


def settle(account: Account) -> tuple[Account, list[Move]]:
    """Credit pays the items still owed, oldest due date first (an installment before a charge that day)."""
    credit = account.credit
    moves: list[Move] = []
    if credit <= 0:
        return account, moves
    order = sorted(
        [(i.due_date, 0, i.number) for i in account.installments if _owed(i) > 0]
        + [(c.due_date, 1, n) for n, c in enumerate(account.charges) if c.owed > 0]
    )
    installments = {i.number: i for i in account.installments}
    charges = list(account.charges)
    for _, kind, key in order:
        if credit == 0:
            break
        if kind == 0:
            item = installments[key]
            take = min(credit, _owed(item))
            installments[key] = _status(replace(item, paid=item.paid + take))
            moves.append(Move(MoveKind.APPLIED, take, f"installment {key}"))
        else:
            owed_charge = charges[key]
            take = min(credit, owed_charge.owed)
            charges[key] = replace(owed_charge, paid=owed_charge.paid + take)
            moves.append(Move(MoveKind.APPLIED, take, f"charge {owed_charge.key or key + 1}"))
        credit -= take
    after = replace(
        account,
        installments=tuple(installments[i.number] for i in account.installments),
        charges=tuple(charges),
        credit=credit,
    )
    return after, moves


def receive(account: Account, amount: Yen) -> tuple[Account, list[Move]]:
    """A payment received: it becomes credit, and credit pays what is owed (a surplus stays as credit)."""
    check_yen("amount", amount)
    got = replace(account, credit=account.credit + amount, received=account.received + amount)
    after, moves = settle(got)
    return after, [Move(MoveKind.RECEIVED, amount), *moves]


def _refund_credit(account: Account, moves: list[Move]) -> Account:
    if account.credit <= 0:
        return account
    moves.append(Move(MoveKind.REFUNDED, account.credit))
    return replace(account, credit=0, refunded=account.refunded + account.credit)


def reprice(account: Account, *, effective_date: dt.date, amount: Yen) -> tuple[Account, list[Move]]:
    """Every installment due on or after ``effective_date`` (not cancelled) now owes ``amount``: what was paid
    on one beyond it returns to credit, and credit pays the next items owed (monthly payment, a change)."""
    check_yen("amount", amount)
    moves: list[Move] = []
    credit = account.credit
    items = []
    for item in account.installments:
        if item.due_date < effective_date or item.status is InstallmentStatus.CANCELLED:
            items.append(item)
            continue
        excess = max(item.paid - amount, 0)
        if excess:
            moves.append(Move(MoveKind.RETURNED, excess, f"installment {item.number}"))
            credit += excess
        items.append(_status(replace(item, amount=amount, paid=item.paid - excess)))
    after, applied = settle(replace(account, installments=tuple(items), credit=credit))
    return after, moves + applied


def cancel_from(account: Account, *, effective_date: dt.date) -> tuple[Account, list[Move]]:
    """Every installment due on or after ``effective_date`` is cancelled; what was paid on them returns to
    credit, which pays what is still owed (an earlier installment), and the rest is refunded."""
    moves: list[Move] = []
    credit = account.credit
    items = []
    for item in account.installments:
        if item.due_date >= effective_date and item.status is not InstallmentStatus.CANCELLED:
            if item.paid:
                moves.append(Move(MoveKind.RETURNED, item.paid, f"installment {item.number}"))
                credit += item.paid
            item = replace(item, paid=0, status=InstallmentStatus.CANCELLED)  # noqa: PLW2901 - the new value
        items.append(item)
    after, applied = settle(replace(account, installments=tuple(items), credit=credit))
    moves += applied
    return _refund_credit(after, moves), moves


def charge(account: Account, *, due_date: dt.date, amount: Yen) -> tuple[Account, list[Move]]:
    """A new charge (annual payment, a change with Δ > 0); credit pays it at once when there is some."""
    check_yen("amount", amount)
    if amount == 0:
        return account, []
    added = replace(account, charges=(*account.charges, Charge(key=0, due_date=due_date, amount=amount)))
    return settle(added)


def return_premium(account: Account, amount: Yen) -> tuple[Account, list[Move]]:
    """A premium returned pro rata (annual payment: a change with Δ < 0, a cancellation) lowers what the
    items owe — the latest charges first, then the installments, latest first; what had been paid beyond
    the new amounts returns to credit, which pays anything still owed; the rest is refunded."""
    left = check_yen("amount", amount)
    moves: list[Move] = []
    credit = account.credit
    charges = list(account.charges)
    for n in reversed(range(len(charges))):
        cut = min(left, charges[n].amount)
        if cut:
            charges[n], excess = _lower(charges[n], cut)
            credit, left = credit + excess, left - cut
            if excess:
                moves.append(Move(MoveKind.RETURNED, excess, f"charge {charges[n].key or n + 1}"))
    installments = list(account.installments)
    for n in reversed(range(len(installments))):
        item = installments[n]
        if item.status is InstallmentStatus.CANCELLED:
            continue
        cut = min(left, item.amount)
        if cut:
            excess = max(item.paid - (item.amount - cut), 0)
            installments[n] = _status(replace(item, amount=item.amount - cut, paid=item.paid - excess))
            credit, left = credit + excess, left - cut
            if excess:
                moves.append(Move(MoveKind.RETURNED, excess, f"installment {item.number}"))
    if left:
        raise ValueError(f"{amount} yen returned is more than the premium owed ({amount - left})")
    after, applied = settle(replace(account, installments=tuple(installments), charges=tuple(charges), credit=credit))
    moves += applied
    return _refund_credit(after, moves), moves


def _lower(item: Charge, cut: Yen) -> tuple[Charge, Yen]:
    excess = max(item.paid - (item.amount - cut), 0)
    return replace(item, amount=item.amount - cut, paid=item.paid - excess), excess


def close(account: Account) -> tuple[Account, list[Move]]:
    """The policy has ended (cancelled, lapsed or expired): the credit left is refunded."""
    moves: list[Move] = []
    return _refund_credit(account, moves), moves
