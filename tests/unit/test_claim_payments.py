"""Claim payment authority (product.md §5): the claim's running total decides four eyes, a correction never
takes back more than the payment it corrects counting every correction, and the lifecycle is a table."""

from __future__ import annotations

import pytest

from mamori.claims import payments
from mamori.claims.lifecycle import ClaimPaymentState, ClaimState
from mamori.claims.payments import Book, PaymentRecord
from mamori.errors import InvalidInput, Refused
from mamori.transitions import IllegalTransition

PAID, AWAITING = ClaimPaymentState.PAID, ClaimPaymentState.AWAITING_APPROVAL
THRESHOLD = 10_000_000


def book(*rows: tuple[int, int, ClaimPaymentState, int | None]) -> Book:
    return Book(
        state=ClaimState.DECIDED,
        decision="PAY",
        payments=tuple(PaymentRecord(id=i, amount=a, state=s, requested_by=1, correction_of=c) for i, a, s, c in rows),
    )


def test_three_payments_of_ten_million_on_one_claim_need_a_second_user_from_the_second() -> None:
    first, _ = payments.request(
        book=book(), amount=10_000_000, correction_of=None, still_allowed=30_000_000, threshold=THRESHOLD
    )
    assert first is PAID  # 10,000,000 in all: not above the threshold
    second, _ = payments.request(
        book=book((1, 10_000_000, PAID, None)),
        amount=10_000_000,
        correction_of=None,
        still_allowed=20_000_000,
        threshold=THRESHOLD,
    )
    assert second is AWAITING
    # Those awaiting approval count too: splitting a payment never avoids the second user.
    third, _ = payments.request(
        book=book((1, 9_000_000, PAID, None), (2, 500_000, AWAITING, None)),
        amount=600_000,
        correction_of=None,
        still_allowed=20_000_000,
        threshold=THRESHOLD,
    )
    assert third is AWAITING


def test_a_payment_above_what_is_still_allowed_less_what_awaits_approval_is_refused() -> None:
    with pytest.raises(Refused) as caught:
        payments.request(
            book=book((2, 3_000_000, AWAITING, None)),
            amount=2_000_001,
            correction_of=None,
            still_allowed=5_000_000,
            threshold=THRESHOLD,
        )
    assert caught.value.error.code == "E_PAYMENT_ABOVE_ALLOWED"
    assert caught.value.error.params["allowed_amount"] == 2_000_000


def test_two_corrections_of_one_payment_never_take_back_more_than_it() -> None:
    paid = book((1, 2_500_000, PAID, None), (2, -2_000_000, PAID, 1))
    with pytest.raises(Refused) as caught:
        payments.request(book=paid, amount=-600_000, correction_of=1, still_allowed=0, threshold=THRESHOLD)
    assert (caught.value.error.code, caught.value.error.params["allowed_amount"]) == (
        "E_CORRECTION_ABOVE_PAYMENT",
        500_000,
    )
    state, corrects = payments.request(
        book=paid, amount=-500_000, correction_of=1, still_allowed=0, threshold=THRESHOLD
    )
    assert (state, corrects) == (PAID, 1)


def test_a_correction_names_the_payment_it_corrects() -> None:
    with pytest.raises(InvalidInput) as caught:
        payments.request(
            book=book((1, 2_500_000, PAID, None)), amount=-1, correction_of=None, still_allowed=0, threshold=THRESHOLD
        )
    assert (caught.value.errors[0].field, caught.value.errors[0].code) == ("correction_of", "E_REQUIRED")
    assert caught.value.errors[0].params["allowed"] == [1]


def test_an_approval_checks_the_correction_cap_again_without_counting_itself() -> None:
    pending = book((1, 20_000_000, PAID, None), (2, -15_000_000, AWAITING, 1), (3, -6_000_000, PAID, 1))
    with pytest.raises(Refused):
        payments.approve(book=pending, payment=pending.payments[1], still_allowed=0)
    fits = book((1, 20_000_000, PAID, None), (2, -15_000_000, AWAITING, 1))
    assert payments.approve(book=fits, payment=fits.payments[1], still_allowed=0) is PAID


def test_a_payment_is_only_made_on_a_claim_decided_to_pay_and_approved_only_while_it_waits() -> None:
    open_claim = Book(state=ClaimState.OPEN, decision="")
    with pytest.raises(IllegalTransition):
        payments.request(book=open_claim, amount=1, correction_of=None, still_allowed=1, threshold=THRESHOLD)
    declined = Book(state=ClaimState.DECIDED, decision="DECLINE")
    with pytest.raises(Refused):
        payments.request(book=declined, amount=1, correction_of=None, still_allowed=1, threshold=THRESHOLD)
    done = book((1, 5, PAID, None))
    with pytest.raises(IllegalTransition):
        payments.approve(book=done, payment=done.payments[0], still_allowed=10)
    assert payments.reserve_after(payable_total=100, paid=130) == 0
