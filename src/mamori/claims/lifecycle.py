"""Lifecycles of claims and claim payments, as transition tables.

A claim is handled while open (cost lines, business-interruption inputs, calculations), decided (pay as
calculated, or decline), paid while decided, and closed. A claim payment requested is paid at once or
waits for a second claims user's approval (product.md §5 "claim payment authority"); one waiting is
approved (paid) or rejected. Paid payments are never edited: a correction is a new, negative payment.
"""

from __future__ import annotations

import enum
from typing import Final

from mamori import transitions
from mamori.transitions import TransitionTable

__all__ = [
    "CLAIM_PAYMENT_TRANSITIONS",
    "CLAIM_TRANSITIONS",
    "ClaimAction",
    "ClaimPaymentAction",
    "ClaimPaymentState",
    "ClaimState",
]


class ClaimState(enum.StrEnum):
    OPEN = "OPEN"
    DECIDED = "DECIDED"
    CLOSED = "CLOSED"


class ClaimAction(enum.StrEnum):
    EDIT = "EDIT"  # cost lines, business-interruption inputs
    RECALCULATE = "RECALCULATE"
    RESERVE = "RESERVE"  # the case reserve set by hand
    DECIDE = "DECIDE"
    PAY = "PAY"  # request a payment (or a correction)
    CLOSE = "CLOSE"


class ClaimPaymentState(enum.StrEnum):
    REQUESTED = "REQUESTED"  # being requested: never stored, the state a request starts from
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    PAID = "PAID"
    REJECTED = "REJECTED"


class ClaimPaymentAction(enum.StrEnum):
    PAY = "PAY"  # within the requester's authority: paid at once
    HOLD = "HOLD"  # beyond it: waits for a second claims user
    APPROVE = "APPROVE"
    REJECT = "REJECT"


_C, _CA = ClaimState, ClaimAction
CLAIM_TRANSITIONS: Final[TransitionTable[ClaimState, ClaimAction]] = transitions.table(
    "claim",
    (_C.OPEN, _CA.EDIT, _C.OPEN),
    (_C.OPEN, _CA.RECALCULATE, _C.OPEN),
    (_C.DECIDED, _CA.RECALCULATE, _C.DECIDED),
    (_C.OPEN, _CA.RESERVE, _C.OPEN),
    (_C.DECIDED, _CA.RESERVE, _C.DECIDED),
    (_C.OPEN, _CA.DECIDE, _C.DECIDED),
    (_C.DECIDED, _CA.PAY, _C.DECIDED),
    (_C.DECIDED, _CA.CLOSE, _C.CLOSED),
    refusals=dict.fromkeys(ClaimState, "E_CLAIM_STATE"),
)

_P, _PA = ClaimPaymentState, ClaimPaymentAction
CLAIM_PAYMENT_TRANSITIONS: Final[TransitionTable[ClaimPaymentState, ClaimPaymentAction]] = transitions.table(
    "claim_payment",
    (_P.REQUESTED, _PA.PAY, _P.PAID),
    (_P.REQUESTED, _PA.HOLD, _P.AWAITING_APPROVAL),
    (_P.AWAITING_APPROVAL, _PA.APPROVE, _P.PAID),
    (_P.AWAITING_APPROVAL, _PA.REJECT, _P.REJECTED),
    refusals=dict.fromkeys(ClaimPaymentState, "E_PAYMENT_STATE"),
)
