"""Money is conserved (product.md §5 "money already paid is never lost") and claim payment authority holds,
under random sequences: premium payments, mid-term changes up and down, cancellations and lapses of a monthly
or an annual policy — payments received = paid installments and charges + credit + refunds at every step,
nothing negative, no credit while something is owed — and claim payments, approvals and corrections: no
payment made without a second user once the claim's total with those awaiting exceeds the threshold, no
correction taking back more than its payment."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import event, given
from hypothesis import strategies as st

from mamori import catalog as catalog_mod
from mamori import policy
from mamori.claims import payments
from mamori.claims.lifecycle import ClaimPaymentState, ClaimState
from mamori.errors import InvalidInput, Refused
from mamori.policy import account, administration
from mamori.policy.schedule import InstallmentStatus

VERSION = catalog_mod.FolderCatalog().get("2025-04")
START = dt.date(2026, 4, 30)  # a month-end start: due dates clipped to short months
PREMIUMS = {"monthly": (4_070, 5_090, 6_110, 7_920), "annual": (47_880, 59_880, 71_880, 93_180)}

operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(1, 30_000)),
        st.tuples(st.just("change"), st.integers(0, 364), st.integers(0, 3)),
        st.tuples(st.just("cancel"), st.integers(0, 364)),
        st.tuples(st.just("lapse"), st.integers(0, 500)),
    ),
    max_size=14,
)


def _check(acc: account.Account) -> None:
    assert acc.balanced(), acc
    assert acc.credit >= 0 and acc.refunded >= 0
    for item in acc.installments:
        assert 0 <= item.paid <= item.amount or item.status is InstallmentStatus.CANCELLED
        if item.status is InstallmentStatus.CANCELLED:
            assert item.paid == 0
    assert all(0 <= c.paid <= c.amount for c in acc.charges)
    assert acc.credit == 0 or acc.owed == 0  # credit pays what is owed at once


@given(payment=st.sampled_from(["monthly", "annual"]), first=st.integers(0, 3), ops=operations)
def test_payments_received_equal_what_was_applied_plus_credit_plus_refunds_at_every_step(
    payment: str, first: int, ops: list[tuple[int | str, ...]]
) -> None:
    premium = PREMIUMS[payment][first]
    plan = policy.payment_plan(version=VERSION, payment=payment, start_date=START, premium=premium)
    acc = account.open_account(plan.installments)
    in_force = True
    terms_from = START  # the day the current terms took effect: no change or cancellation before it

    def allowed(day: dt.date) -> bool:  # the callers' check (usecases.policies), the one rule
        try:
            administration.check_effective_date(VERSION, START, day, requested_on=None, terms_from=terms_from)
        except InvalidInput:
            return False
        return True

    for op in ops:
        kind = op[0]
        standing = administration.Standing(
            version=VERSION, payment=payment, start_date=START, premium=premium, account=acc
        )
        if kind == "pay":
            acc, _ = account.receive(acc, int(op[1]))
            if not in_force:
                acc, _ = account.close(acc)
        elif kind == "change" and in_force:
            day = START + dt.timedelta(days=int(op[1]))
            if not allowed(day):
                continue
            new = PREMIUMS[payment][int(op[2])]
            acc = administration.change(standing, effective_date=day, new_premium=new).account
            premium, terms_from = new, day
            event("change")
        elif kind == "cancel" and in_force:
            day = START + dt.timedelta(days=int(op[1]))
            if not allowed(day):
                continue
            acc = administration.cancel(standing, effective_date=day).account
            in_force = False
            event("cancel")
        elif kind == "lapse" and in_force:
            ended = administration.lapse(standing, on_date=START + dt.timedelta(days=int(op[1])))
            if ended is not None:
                acc, in_force = ended.account, False
                event("lapse")
        _check(acc)


THRESHOLD = VERSION.policy.claim_payment_approval_above

claim_operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(1, 16_000_000)),
        st.tuples(st.just("approve"), st.integers(0, 20)),
        st.tuples(st.just("reject"), st.integers(0, 20)),
        st.tuples(st.just("correct"), st.integers(0, 20), st.integers(1, 16_000_000)),
    ),
    max_size=20,
)


@given(payable=st.integers(1, 60_000_000), ops=claim_operations)
def test_no_claim_is_paid_beyond_its_calculation_or_above_the_authority_without_a_second_user(
    payable: int, ops: list[tuple[str, int] | tuple[str, int, int]]
) -> None:
    book = payments.Book(state=ClaimState.DECIDED, decision="PAY")
    approved_by_second: set[int] = set()
    next_id = 1
    for op in ops:
        kind = op[0]
        still = payable - book.paid
        try:
            if kind in {"pay", "correct"}:
                amount = int(op[1]) if kind == "pay" else -int(op[2])
                corrects = None
                if kind == "correct":
                    paid = book.correctable()
                    if not paid:
                        continue
                    corrects = paid[int(op[1]) % len(paid)].id
                state, _ = payments.request(
                    book=book, amount=amount, correction_of=corrects, still_allowed=still, threshold=THRESHOLD
                )
                record = payments.PaymentRecord(
                    id=next_id, amount=amount, state=state, requested_by=1, correction_of=corrects
                )
                if state is ClaimPaymentState.PAID and amount > 0:
                    # Paid on the requester's own authority: the claim's total with those awaiting stays within it.
                    assert book.paid + book.pending() + amount <= THRESHOLD
                next_id += 1
                book = replace(book, payments=(*book.payments, record))
            else:
                waiting = book.awaiting()
                if not waiting:
                    continue
                chosen = waiting[int(op[1]) % len(waiting)]
                if kind == "approve":
                    state = payments.approve(book=book, payment=chosen, still_allowed=still)
                    approved_by_second.add(chosen.id)
                else:
                    state = payments.reject(payment=chosen)
                book = replace(
                    book, payments=tuple(replace(p, state=state) if p is chosen else p for p in book.payments)
                )
        except (Refused, InvalidInput):
            event(f"refused {kind}")
            continue
        assert 0 <= book.paid <= payable
        for original in book.correctable():
            assert book.corrected(original.id) <= original.amount
