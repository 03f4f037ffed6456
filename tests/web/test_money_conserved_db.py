"""Money is conserved as stored: random sequences of premium payments, mid-term changes, cancellations and
daily runs (lapse, expiry) through the services leave every policy's stored account sound — credit never
negative and never idle while something is owed, no installment paid beyond its amount, nothing left paid on
a cancelled one, and the refunds recorded equal to what the core refunded. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.errors import InvalidInput, Refused
from mamori.web.accounts.models import Business
from mamori.web.billing import selectors as billing
from mamori.web.billing.models import Installment, Payment, Refund
from mamori.web.demo_incidents import policy_for
from mamori.web.servicing import services as servicing

pytestmark = pytest.mark.django_db

steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(1, 40_000)),
        st.tuples(st.just("change"), st.integers(0, 200), st.sampled_from([0, 300_000, 1_000_000])),
        st.tuples(st.just("cancel"), st.integers(0, 200)),
        st.tuples(st.just("daily"), st.integers(0, 420)),
    ),
    min_size=1,
    max_size=6,
)


def _sound(policy: Any) -> None:
    acc = billing.account_of(policy)
    assert acc.credit >= 0, acc
    assert acc.credit == 0 or acc.owed == 0, acc
    for row in Installment.objects.filter(policy=policy):
        assert 0 <= row.paid_yen <= row.amount_yen
        assert row.status != "CANCELLED" or row.paid_yen == 0
        assert row.status != "PAID" or row.paid_yen == row.amount_yen
    received = sum(p.amount_yen for p in Payment.objects.filter(policy=policy))
    refunded = sum(r.amount_yen for r in Refund.objects.filter(policy=policy))
    assert received == acc.applied + acc.credit + refunded


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payment=st.sampled_from(["monthly", "annual"]), ops=steps)
def test_every_stored_account_stays_sound_under_random_servicing(
    payment: str, ops: list[tuple[Any, ...]], holder: User, admin: User, business: Business, today: dt.date
) -> None:
    with transaction.atomic():
        policy = policy_for(
            user=holder, business=business, risk={"industry": "wholesale", "revenue": 500_000_000},
            start=today, today=today, payment=payment,
        )  # fmt: skip
        for n, op in enumerate(ops):
            day = today + dt.timedelta(days=int(op[1]))
            try:
                if op[0] == "pay":
                    servicing.payment_record(
                        user=admin, policy_number=policy.number, amount=op[1], paid_date=today, reference=f"P{n}"
                    )
                elif op[0] == "change":
                    servicing.policy_change(
                        user=holder, number=policy.number, effective_date=day, changes={"deductible": op[2]}, today=day
                    )
                elif op[0] == "cancel":
                    servicing.policy_cancel(user=holder, number=policy.number, effective_date=day, today=day)
                else:
                    servicing.daily_run(on_date=day)
            except (InvalidInput, Refused):
                pass
            policy.refresh_from_db()
            _sound(policy)
        transaction.set_rollback(True)
