"""Reading policies: what a user may see, and a policy as the API shows it (interfaces.md §2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.policies.models import Policy, PolicyDocument, PolicyVersion


def policies_visible(user: User | None) -> QuerySet[Policy]:
    return Policy.objects.filter(business__in=accounts.visible_businesses(user)).select_related(
        "business", "product_version"
    )


def policy_get(*, user: User | None, number: str) -> Policy | None:
    return policies_visible(user).filter(number=number).first()


def current_version(policy: Policy) -> PolicyVersion:
    return policy.versions.order_by("-number").first()


def certificate_of(policy: Policy, *, lang: str, version: int | None = None) -> PolicyDocument | None:
    documents = PolicyDocument.objects.filter(version__policy=policy, kind=PolicyDocument.Kind.CERTIFICATE, lang=lang)
    if version is not None:
        documents = documents.filter(version__number=version)
    return documents.order_by("-version__number").first()


def installment_json(policy: Policy) -> list[dict[str, Any]]:
    return [
        {
            "number": i.number,
            "due_date": i.due_date.isoformat(),
            "amount": i.amount_yen,
            "paid": i.paid_yen,
            "status": i.status.lower(),
        }
        for i in policy.installments.order_by("number")
    ]


def policy_json(policy: Policy) -> dict[str, Any]:
    """A policy as ``GET /api/v1/policies/{number}`` answers."""
    v = current_version(policy)
    return {
        "number": policy.number,
        "status": policy.status.lower(),
        "version": v.number,
        "start_date": policy.start_date.isoformat(),
        "end_date": policy.end_date.isoformat(),
        "start_at": policy.start_at.isoformat(),
        "end_at": policy.end_at.isoformat(),
        "ended_at": policy.ended_at.isoformat() if policy.ended_at else None,
        "retroactive_date": policy.retroactive_date.isoformat(),
        "payment": policy.payment,
        "monthly_premium": v.monthly_premium_yen,
        "annual_premium": v.annual_premium_yen,
        "liability_limit": v.liability_limit_yen,
        "expense_limit": v.expense_limit_yen,
        "deductible": v.deductible_yen,
        "bi_limit": v.bi_limit_yen,
        "pd_rider": v.pd_rider,
        "business": {"id": policy.business_id, "name": policy.business.name, "entity": policy.business.entity},
        "product": policy.product_version.product_id,
        "product_version": policy.product_version.version,
        "product_hash": policy.product_version.content_hash,
        "installments": installment_json(policy),
    }


def versions_json(policy: Policy) -> list[dict[str, Any]]:
    return [
        {
            "version": v.number,
            "effective_date": v.effective_date.isoformat(),
            "reason": v.reason.lower(),
            "liability_limit": v.liability_limit_yen,
            "expense_limit": v.expense_limit_yen,
            "deductible": v.deductible_yen,
            "bi_limit": v.bi_limit_yen,
            "pd_rider": v.pd_rider,
            "monthly_premium": v.monthly_premium_yen,
            "annual_premium": v.annual_premium_yen,
            "premium_difference": v.premium_difference_yen,
            "created_at": v.created_at.isoformat(),
        }
        for v in policy.versions.order_by("number")
    ]
