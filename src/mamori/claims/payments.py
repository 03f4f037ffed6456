"""Claim payments (product.md §5 "claim payment authority"): whether a payment may be made, whether it needs a
second claims user, what a correction may take back, and the case reserve — pure functions of values.

- A payment is at most what the claim's current calculation still allows, less the payments awaiting
  approval (``E_PAYMENT_ABOVE_ALLOWED``, a 409).
- It needs a second claims user's approval when the claim's total paid, with this payment and those
  awaiting approval, exceeds the product's threshold (``[policy] claim_payment_approval_above``); a
  correction larger than the threshold is approved by a second user too. The approver is never the
  requester (:mod:`mamori.authority`).
- A correction (a negative payment) corrects one paid payment and never takes back more than that payment,
  counting every correction of it, paid or awaiting approval (``E_CORRECTION_ABOVE_PAYMENT``).
- The case reserve is what the calculation still leaves to pay, never below nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mamori.claims.lifecycle import (
    CLAIM_PAYMENT_TRANSITIONS,
    CLAIM_TRANSITIONS,
    ClaimAction,
    ClaimPaymentAction,
    ClaimPaymentState,
    ClaimState,
)
from mamori.errors import FieldError, InvalidInput, Refused
from mamori.money import Yen

__all__ = [
    "Book",
    "PaymentRecord",
    "approve",
    "reject",
    "request",
    "reserve_after",
]

_PAY: str = "PAY"


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRecord:
    """A claim payment as stored: ``amount`` < 0 for a correction of payment ``correction_of``."""

    id: int
    amount: Yen
    state: ClaimPaymentState
    requested_by: int | None
    correction_of: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Book:
    """A claim and its payments, as far as paying it is concerned."""

    state: ClaimState
    decision: str  # "PAY", "DECLINE", or "" before the decision
    payments: tuple[PaymentRecord, ...] = ()

    @property
    def paid(self) -> Yen:
        """Net paid on the claim (corrections included)."""
        return sum(p.amount for p in self.payments if p.state is ClaimPaymentState.PAID)

    def awaiting(self, *, excluding: int | None = None) -> tuple[PaymentRecord, ...]:
        return tuple(p for p in self.payments if p.state is ClaimPaymentState.AWAITING_APPROVAL and p.id != excluding)

    def pending(self, *, excluding: int | None = None) -> Yen:
        """Payments (not corrections) awaiting approval."""
        return sum(p.amount for p in self.awaiting(excluding=excluding) if p.amount > 0)

    def correctable(self) -> tuple[PaymentRecord, ...]:
        return tuple(p for p in self.payments if p.state is ClaimPaymentState.PAID and p.amount > 0)

    def corrected(self, payment_id: int, *, excluding: int | None = None) -> Yen:
        """What the corrections of a payment take back, paid or awaiting approval."""
        return -sum(
            p.amount
            for p in self.payments
            if p.correction_of == payment_id
            and p.id != excluding
            and p.state in (ClaimPaymentState.PAID, ClaimPaymentState.AWAITING_APPROVAL)
        )


def reserve_after(*, payable_total: Yen, paid: Yen) -> Yen:
    """The case reserve: what the calculation still leaves to pay, never below nothing."""
    return max(payable_total - paid, 0)


def _payable(book: Book) -> None:
    CLAIM_TRANSITIONS.apply(current=book.state, action=ClaimAction.PAY)
    if book.decision != _PAY:
        raise Refused("status", "E_CLAIM_STATE", status=book.state.value.lower(), decision=book.decision.lower())


def _correction_room(book: Book, correction_of: Any, *, excluding: int | None = None) -> tuple[PaymentRecord, Yen]:
    allowed = [p.id for p in book.correctable()]
    original = next((p for p in book.correctable() if str(p.id) == str(correction_of)), None)
    if original is None:
        code = "E_REQUIRED" if correction_of in (None, "") else "E_CHOICE"
        raise InvalidInput([FieldError("correction_of", code, {"value": correction_of, "allowed": allowed})])
    return original, original.amount - book.corrected(original.id, excluding=excluding)


def _needs_approval(book: Book, amount: Yen, threshold: Yen, *, excluding: int | None = None) -> bool:
    if amount < 0:
        return -amount > threshold
    return book.paid + book.pending(excluding=excluding) + amount > threshold


def request(
    *, book: Book, amount: Yen, correction_of: Any, still_allowed: Yen, threshold: Yen
) -> tuple[ClaimPaymentState, int | None]:
    """The state a payment request starts in (paid at once, or awaiting approval) and the payment it
    corrects; a refusal raises (:class:`Refused`: 409, :class:`InvalidInput`: 422) and nothing is paid."""
    _payable(book)
    corrects: int | None = None
    if amount > 0:
        if correction_of not in (None, ""):
            raise InvalidInput([FieldError("amount", "E_RANGE", {"value": amount, "maximum": -1})])
        room = still_allowed - book.pending()
        if amount > room:
            raise Refused("amount", "E_PAYMENT_ABOVE_ALLOWED", value=amount, allowed_amount=max(room, 0))
    else:
        original, room = _correction_room(book, correction_of)
        if -amount > room:
            raise Refused("amount", "E_CORRECTION_ABOVE_PAYMENT", value=-amount, allowed_amount=max(room, 0))
        corrects = original.id
    action = ClaimPaymentAction.HOLD if _needs_approval(book, amount, threshold) else ClaimPaymentAction.PAY
    return CLAIM_PAYMENT_TRANSITIONS.apply(current=ClaimPaymentState.REQUESTED, action=action), corrects


def approve(*, book: Book, payment: PaymentRecord, still_allowed: Yen) -> ClaimPaymentState:
    """Approve a payment awaiting approval (checked again: the calculation and the corrections may have
    changed since it was requested); the approver was checked by authority."""
    state = CLAIM_PAYMENT_TRANSITIONS.apply(current=payment.state, action=ClaimPaymentAction.APPROVE)
    _payable(book)
    if payment.amount > still_allowed:
        raise Refused("amount", "E_PAYMENT_ABOVE_ALLOWED", value=payment.amount, allowed_amount=max(still_allowed, 0))
    if payment.amount < 0:
        _, room = _correction_room(book, payment.correction_of, excluding=payment.id)
        if -payment.amount > room:
            raise Refused("amount", "E_CORRECTION_ABOVE_PAYMENT", value=-payment.amount, allowed_amount=max(room, 0))
    return state


def reject(*, payment: PaymentRecord) -> ClaimPaymentState:
    return CLAIM_PAYMENT_TRANSITIONS.apply(current=payment.state, action=ClaimPaymentAction.REJECT)


def records(rows: Iterable[tuple[int, Yen, str, int | None, int | None]]) -> tuple[PaymentRecord, ...]:
    """Payment records from stored rows ``(id, amount, state, requested_by, correction_of)``."""
    return tuple(
        PaymentRecord(id=i, amount=a, state=ClaimPaymentState(s), requested_by=r, correction_of=c)
        for i, a, s, r, c in rows
    )
