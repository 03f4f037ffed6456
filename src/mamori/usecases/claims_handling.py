"""Use cases of claims handling and the support desk (product.md §3–5, interfaces.md §2.1): who may act on a
claim, a claim payment or a case, what the lifecycle allows, and the money of a claim payment — decided
here and in the core (:mod:`mamori.claims.payments`), persisted by the web's services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from mamori import authority, money
from mamori.authority import Action, Subject, Target
from mamori.claims import ledger, payments
from mamori.claims.lifecycle import CLAIM_TRANSITIONS, ClaimAction, ClaimPaymentState, ClaimState
from mamori.claims.result import ClaimResult
from mamori.errors import FieldError, InvalidInput, Refused
from mamori.money import Yen
from mamori.rating import values
from mamori.support.lifecycle import (
    CASE_TRANSITIONS,
    INCIDENT_TRANSITIONS,
    CaseAction,
    CaseState,
    IncidentAction,
    IncidentState,
)

__all__ = [
    "PaymentDecision",
    "approve_payment",
    "attach",
    "case_step",
    "claim_offers",
    "claim_step",
    "close",
    "incident_step",
    "payment_offers",
    "reject_payment",
    "request_payment",
    "reserve",
]


#: Clocks differ a little: a time this far ahead of the server's is still "now".
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def not_in_future(field: str, at: dt.datetime | None, raw: Any, now: dt.datetime) -> None:
    """The one rule for an instant a person reports (an incident's discovery, a report filed with a
    regulator): never ahead of now — a discovery ahead of now would move its deadlines (E_FUTURE)."""
    if at is not None and at > now + FUTURE_TOLERANCE:
        raise InvalidInput([FieldError(field, "E_FUTURE", {"value": raw})])


def claim_step(subject: Subject, target: Target, state: ClaimState, action: ClaimAction) -> ClaimState:
    """A claims handler's action on a claim of their team, if the claim's state allows it: the new state."""
    authority.require(subject, Action.HANDLE_CLAIM, target)
    return CLAIM_TRANSITIONS.apply(current=state, action=action)


def case_step(subject: Subject, target: Target, state: CaseState, action: CaseAction) -> CaseState:
    """The support desk's work on a case of its team, if the case is open: the new state."""
    authority.require(subject, Action.WORK_CASE, target)
    return CASE_TRANSITIONS.apply(current=state, action=action)


def incident_step(subject: Subject, target: Target, state: IncidentState, action: IncidentAction) -> IncidentState:
    """Reporting an incident of a policy (its draft, its submission, its files): the new state."""
    authority.require(subject, Action.REPORT_INCIDENT, target)
    return INCIDENT_TRANSITIONS.apply(current=state, action=action)


def close(subject: Subject, target: Target, state: ClaimState, book: payments.Book) -> ClaimState:
    """Close a decided claim once nothing awaits approval (its reserve becomes nothing)."""
    after = claim_step(subject, target, state, ClaimAction.CLOSE)
    if book.awaiting():
        raise Refused("status", "E_PAYMENT_AWAITING", count=len(book.awaiting()))
    return after


def attach(subject: Subject, target: Target, state: IncidentState) -> IncidentState:
    """A file attached to an incident: by whoever may report it, or by the desk or claims staff of its team."""
    staff = replace(target, business_id=None, agency_id=None)
    if not (
        authority.may(subject, Action.REPORT_INCIDENT, target)
        or authority.may(subject, Action.WORK_CASE, staff)
        or authority.may(subject, Action.HANDLE_CLAIM, staff)
    ):
        authority.require(subject, Action.REPORT_INCIDENT, target)
    return INCIDENT_TRANSITIONS.apply(current=state, action=IncidentAction.ATTACH)


def reserve(subject: Subject, target: Target, state: ClaimState, raw: Any) -> Yen:
    """A case reserve set by hand on a claim that is not closed: a whole number of yen, 0 to MAX_YEN."""
    claim_step(subject, target, state, ClaimAction.RESERVE)
    return values.read_yen("reserve", raw)


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentDecision:
    state: ClaimPaymentState
    amount: Yen
    correction_of: int | None
    share: ledger.Paid | None  # what a payment made now pays, by section (None while it awaits approval)
    reserve: Yen | None  # the claim's reserve after it (None while it awaits approval)


def _paid_now(
    result: ClaimResult, paid: ledger.Paid, amount: Yen, sublimited: tuple[str, ...]
) -> tuple[ledger.Paid, Yen]:
    share = ledger.allocate(result, paid, amount, sublimited)
    return share, payments.reserve_after(payable_total=result.payable_total, paid=paid.amount + share.amount)


def request_payment(  # noqa: PLR0913 - keyword-only: who, on what, the amount, and the claim's figures
    *,
    subject: Subject,
    target: Target,
    book: payments.Book,
    amount: Any,
    correction_of: Any,
    result: ClaimResult,
    paid: ledger.Paid,
) -> PaymentDecision:
    """A claims handler pays (or corrects) a claim of their team: within what the calculation still allows,
    awaiting a second claims user beyond the product's authority threshold."""
    authority.require(subject, Action.HANDLE_CLAIM, target)
    yen = values.read_yen("amount", amount, minimum=-money.MAX_YEN, nonzero=True)
    state, corrects = payments.request(
        book=book,
        amount=yen,
        correction_of=correction_of,
        still_allowed=ledger.still_allowed(result, paid),
        threshold=result.version.policy.claim_payment_approval_above,
    )
    if state is not ClaimPaymentState.PAID:
        return PaymentDecision(state=state, amount=yen, correction_of=corrects, share=None, reserve=None)
    share, after = _paid_now(result, paid, yen, result.version.coverage.sublimit_items)
    return PaymentDecision(state=state, amount=yen, correction_of=corrects, share=share, reserve=after)


def approve_payment(
    *,
    subject: Subject,
    target: Target,
    book: payments.Book,
    payment: payments.PaymentRecord,
    result: ClaimResult,
    paid: ledger.Paid,
) -> PaymentDecision:
    """A second claims user of the team approves a payment awaiting approval (never its requester)."""
    authority.require(subject, Action.APPROVE_CLAIM_PAYMENT, replace(target, requested_by=payment.requested_by))
    state = payments.approve(book=book, payment=payment, still_allowed=ledger.still_allowed(result, paid))
    share, after = _paid_now(result, paid, payment.amount, result.version.coverage.sublimit_items)
    return PaymentDecision(
        state=state, amount=payment.amount, correction_of=payment.correction_of, share=share, reserve=after
    )


def reject_payment(*, subject: Subject, target: Target, payment: payments.PaymentRecord) -> ClaimPaymentState:
    """A claims user of the team rejects a payment awaiting approval (the requester may withdraw it)."""
    authority.require(subject, Action.HANDLE_CLAIM, target)
    return payments.reject(payment=payment)


def case_offers(subject: Subject, target: Target, state: CaseState) -> frozenset[str]:
    """What ``subject`` may do with a support case now (``work``, ``close``)."""
    if not authority.may(subject, Action.WORK_CASE, target):
        return frozenset()
    names = {CaseAction.WORK: "work", CaseAction.CLOSE: "close"}
    return frozenset(name for action, name in names.items() if CASE_TRANSITIONS.can(current=state, action=action))


def claim_offers(subject: Subject, target: Target, book: payments.Book) -> frozenset[str]:
    """What ``subject`` may do with a claim now (``edit``, ``decide``, ``reserve``, ``pay``, ``close``)."""
    state, decision = book.state, book.decision
    if not authority.may(subject, Action.HANDLE_CLAIM, target):
        return frozenset()
    names = {
        ClaimAction.EDIT: "edit",
        ClaimAction.DECIDE: "decide",
        ClaimAction.RESERVE: "reserve",
        ClaimAction.CLOSE: "close",
    }
    out = {name for action, name in names.items() if CLAIM_TRANSITIONS.can(current=state, action=action)}
    if CLAIM_TRANSITIONS.can(current=state, action=ClaimAction.PAY) and decision == "PAY":
        out.add("pay")
    if book.awaiting():
        out.discard("close")
    return frozenset(out)


def payment_offers(subject: Subject, target: Target, payment: payments.PaymentRecord) -> frozenset[str]:
    """What ``subject`` may do with a payment awaiting approval (``approve``, ``reject``)."""
    if payment.state is not ClaimPaymentState.AWAITING_APPROVAL:
        return frozenset()
    out = set()
    if authority.may(subject, Action.APPROVE_CLAIM_PAYMENT, replace(target, requested_by=payment.requested_by)):
        out.add("approve")
    if authority.may(subject, Action.HANDLE_CLAIM, target):
        out.add("reject")
    return frozenset(out)
