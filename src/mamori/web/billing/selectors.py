"""Reading a policy's premium account: its installments, charges, payments received and refunds, as the
core's :class:`mamori.policy.account.Account` (credit is what was received and neither applied nor refunded)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from mamori.policy import account, schedule
from mamori.web.billing.models import Charge, Installment, Payment, Refund


def _total(rows: Any, field: str) -> int:
    return int(rows.aggregate(total=Sum(field))["total"] or 0)


def account_of(policy: Any) -> account.Account:
    """The account of ``policy`` as stored (read inside the caller's transaction, rows locked by it)."""
    installments = tuple(
        schedule.Installment(
            number=i.number,
            due_date=i.due_date,
            amount=i.amount_yen,
            status=schedule.InstallmentStatus(i.status),
            paid=i.paid_yen,
        )
        for i in Installment.objects.filter(policy=policy).order_by("number")
    )
    charges = tuple(
        account.Charge(key=c.pk, due_date=c.due_date, amount=c.amount_yen, paid=c.paid_yen)
        for c in Charge.objects.filter(policy=policy).order_by("due_date", "id")
    )
    received = _total(Payment.objects.filter(policy=policy), "amount_yen")
    refunded = _total(Refund.objects.filter(policy=policy), "amount_yen")
    applied = sum(i.paid for i in installments) + sum(c.paid for c in charges)
    return account.Account(
        installments=installments,
        charges=charges,
        credit=received - applied - refunded,
        received=received,
        refunded=refunded,
    )


def installment_json(policy: Any) -> list[dict[str, Any]]:
    return [
        {
            "number": i.number,
            "due_date": i.due_date.isoformat(),
            "amount": i.amount_yen,
            "paid": i.paid_yen,
            "status": i.status.lower(),
        }
        for i in Installment.objects.filter(policy=policy).order_by("number")
    ]
